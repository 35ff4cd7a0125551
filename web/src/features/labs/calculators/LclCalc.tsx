import { CheckCircle2, XCircle } from 'lucide-react';
import { useMemo, useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { formatSi } from '@/lib/format';
import { CalcForm } from '../CalcForm';
import { specsOf } from '../calcForm';
import { LCL_DEFAULTS, LCL_INPUTS } from '../inputs';
import { useLclCalc, type LclRequest, type LclResponse } from '../labsApi';
import { ResultList } from '../ResultList';
import { XYChart } from '../XYChart';
import { lclAdmittance } from './lclResponse';


const CHECK_TITLES: Record<string, string> = {
  resonance_window: 'Resonance window',
  total_inductance: 'Total inductance',
  dc_link: 'DC-link voltage',
};

function LclResults({ result }: { result: LclResponse }) {
  return (
    <div className="space-y-4">
      <ResultList
        rows={[
          { label: 'Inverter-side inductance', symbol: 'L1', value: formatSi(result.l1, 'H', 4), key: true },
          { label: 'Grid-side inductance', symbol: 'L2', value: formatSi(result.l2, 'H', 4), key: true },
          { label: 'Filter capacitance (star)', symbol: 'C_f', value: formatSi(result.c_f, 'F', 4), key: true },
          { label: 'Resonance', symbol: 'f_res', value: formatSi(result.f_res, 'Hz', 4), key: true, testId: 'lcl-fres' },
          { label: 'Damping resistor', symbol: 'R_d', value: formatSi(result.r_damp, 'Ω', 4) },
          { label: 'Attenuation at f_sw, undamped', symbol: 'i_g/i_i', value: `${result.attenuation.toPrecision(3)} (${result.attenuation_db.toFixed(1)} dB)` },
          { label: 'Rated peak current', symbol: 'I_pk', value: formatSi(result.i_peak, 'A', 4) },
          { label: 'Allowed ripple', symbol: 'ΔI_max', value: formatSi(result.delta_i_max, 'A', 4) },
          { label: 'Total inductance', symbol: '(L1+L2)/L_b', value: `${result.total_l_pu.toFixed(4)} pu` },
          { label: 'Base impedance', symbol: 'Z_b', value: formatSi(result.z_base, 'Ω', 4) },
          { label: 'Base inductance', symbol: 'L_b', value: formatSi(result.l_base, 'H', 4) },
          { label: 'Base capacitance', symbol: 'C_b', value: formatSi(result.c_base, 'F', 4) },
        ]}
      />
      <ul className="space-y-2" aria-label="Design checks">
        {result.checks.map((check) => (
          <li key={check.name} className="flex items-start gap-2 text-sm" data-testid={`lcl-check-${check.name}`}>
            <Badge variant={check.ok ? 'success' : 'destructive'} className="mt-0.5 gap-1">
              {check.ok ? <CheckCircle2 className="size-3" aria-hidden="true" /> : <XCircle className="size-3" aria-hidden="true" />}
              {check.ok ? 'pass' : 'fail'}
            </Badge>
            <span>
              <span className="font-medium">{CHECK_TITLES[check.name] ?? check.name}</span>
              <span className="block font-mono text-xs text-muted-foreground">{check.detail}</span>
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Sizing of an LCL grid filter with its checks and frequency response. */
export function LclCalc() {
  const calc = useLclCalc();
  const fields = useMemo(() => specsOf('lcl', LCL_INPUTS), []);
  const [sent, setSent] = useState<LclRequest | null>(null);
  const result = calc.data;
  const response = useMemo(() => {
    if (!result || !sent) return [];
    return lclAdmittance(result.l1, result.l2, result.c_f, result.r_damp, sent.f_grid, sent.f_sw * 3);
  }, [result, sent]);
  const peak = Math.max(0, ...response.map((point) => point.damped));
  const low = Math.min(...response.map((point) => Math.min(point.damped, point.undamped)));

  const submit = async (body: Record<string, unknown>) => {
    const answer = await calc.mutateAsync(body);
    setSent(body as LclRequest);
    return answer;
  };

  return (
    <div className="grid grid-cols-1 gap-4 xl:grid-cols-[minmax(0,5fr)_minmax(0,7fr)]">
      <Card>
        <CardHeader>
          <CardTitle>LCL grid filter</CardTitle>
          <CardDescription>Three-phase two-level inverter, sized after Liserre, Blaabjerg and Hansen (IEEE Trans. Ind. Appl. 41(5), 2005). Per-phase star values.</CardDescription>
        </CardHeader>
        <CardContent>
          <CalcForm label="LCL grid filter" fields={fields} initial={LCL_DEFAULTS} submitLabel="Size the filter" pending={calc.isPending} onSubmit={submit} submitOnMount />
        </CardContent>
      </Card>
      <div className="min-w-0 space-y-4">
        <Card>
          <CardHeader>
            <CardTitle>Resonance and its window</CardTitle>
            <CardDescription>
              |i_g/v_i| of one phase, undamped and with R_d in series with C_f. The shaded band is the allowed window 10·f_grid &lt; f_res &lt; f_sw/2.
            </CardDescription>
          </CardHeader>
          <CardContent>
            <XYChart
              title="LCL filter response and resonance window"
              testId="lcl-chart"
              x={{ label: 'Frequency f', unit: 'Hz', log: true }}
              y={{ label: 'Admittance |i_g/v_i|', unit: 'S', log: true }}
              series={[
                { name: 'Undamped', color: '#2563eb', points: response.map((point) => ({ x: point.f, y: point.undamped })) },
                { name: `With R_d = ${result ? formatSi(result.r_damp, 'Ω', 3) : '–'}`, color: '#059669', points: response.map((point) => ({ x: point.f, y: point.damped })), dashed: true },
              ]}
              bands={result && sent ? [{ from: 10 * sent.f_grid, to: sent.f_sw / 2, label: 'allowed f_res', color: '#059669' }] : []}
              xMarkers={result && sent ? [{ x: result.f_res, label: `f_res ${formatSi(result.f_res, 'Hz', 3)}`, color: '#dc2626' }, { x: sent.f_sw, label: 'f_sw' }] : []}
              yDomain={response.length > 0 && peak > 0 ? [low, peak * 30] : undefined}
              height={300}
            />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Results and checks</CardTitle>
          </CardHeader>
          <CardContent>{result ? <LclResults result={result} /> : <p className="text-sm text-muted-foreground">Size the filter to see the results.</p>}</CardContent>
        </Card>
      </div>
    </div>
  );
}
