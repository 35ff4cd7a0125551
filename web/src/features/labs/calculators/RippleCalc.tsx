import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { formatPercent, formatSi } from '@/lib/format';
import { CalcForm } from '../CalcForm';
import { specsOf } from '../calcForm';
import { checkRipple, outputForDuty, RIPPLE_DEFAULTS, RIPPLE_INPUTS, sweepDuties } from '../inputs';
import { postRipple, useRippleCalc, type RippleRequest, type RippleResponse } from '../labsApi';
import { ResultList, type ResultRow } from '../ResultList';
import { XYChart } from '../XYChart';


/**
 * Loads the summed-ripple cancellation against duty by calling the calculator once per
 * duty with the form's other values, so the curve comes from the same code as the result.
 * Duties the calculator rejects (an output voltage out of range) are left out.
 */
function useCancellationSweep(base: RippleRequest | null) {
  return useQuery({
    queryKey: ['calc', 'ripple', 'sweep', base] as const,
    enabled: base !== null,
    staleTime: Infinity,
    queryFn: async () => {
      if (base === null) return [];
      const duties = sweepDuties(base.phases ?? 1);
      const answers = await Promise.allSettled(
        duties.map((duty) =>
          postRipple({ ...base, i_out: undefined, v_out: outputForDuty(base.topology, base.v_in, duty) }),
        ),
      );
      return answers
        .filter((answer): answer is PromiseFulfilledResult<RippleResponse> => answer.status === 'fulfilled')
        .map((answer) => answer.value);
    },
  });
}

const SUMMED: Record<string, string> = { input: 'input current', output: 'output current', inductors: 'sum of the inductor currents' };

function RippleResults({ result }: { result: RippleResponse }) {
  const rows: ResultRow[] = [
    { label: 'Duty cycle (CCM)', symbol: 'D', value: formatPercent(result.duty, 2) },
    { label: 'Phase ripple, peak to peak', symbol: 'ΔI_L', value: formatSi(result.delta_i_l_pp, 'A', 4), key: true, testId: 'ripple-delta-il' },
    { label: `Summed ripple (${SUMMED[result.summed_current] ?? result.summed_current})`, symbol: 'ΔI_sum', value: formatSi(result.delta_i_sum_pp, 'A', 4), key: true },
    { label: 'Cancellation factor', symbol: 'K', value: result.cancellation.toFixed(4) },
    { label: 'Ripple frequency', symbol: 'N·f_sw', value: formatSi(result.ripple_frequency, 'Hz', 4) },
    { label: 'CCM/DCM boundary current', symbol: 'I_boundary', value: formatSi(result.i_boundary, 'A', 4) },
  ];
  if (result.mode) {
    rows.push({
      label: 'Conduction mode at I_out',
      value: <Badge variant={result.mode === 'ccm' ? 'success' : 'warning'}>{result.mode.toUpperCase()}</Badge>,
    });
  }
  if (result.i_l_peak != null) rows.push({ label: 'Peak inductor current per phase', symbol: 'I_L,pk', value: formatSi(result.i_l_peak, 'A', 4) });
  if (result.duty_dcm != null) rows.push({ label: 'Duty cycle in DCM', symbol: 'D_dcm', value: formatPercent(result.duty_dcm, 2) });
  return <ResultList rows={rows} />;
}

/** Inductor ripple of an interleaved buck, boost or buck-boost with the cancellation curve. */
export function RippleCalc() {
  const calc = useRippleCalc();
  const [sent, setSent] = useState<RippleRequest | null>(null);
  const fields = useMemo(() => specsOf('ripple', RIPPLE_INPUTS), []);
  const sweep = useCancellationSweep(calc.data && sent ? sent : null);
  const result = calc.data;

  const submit = async (body: Record<string, unknown>) => {
    const response = await calc.mutateAsync(body);
    setSent(body as RippleRequest);
    return response;
  };

  const phases = sent?.phases ?? 1;
  const curve = (sweep.data ?? []).map((point) => ({ x: point.duty, y: point.cancellation }));
  const summed = (sweep.data ?? []).map((point) => ({ x: point.duty, y: point.delta_i_sum_pp }));
  return (
    <div className="grid grid-cols-1 gap-4 xl:grid-cols-[minmax(0,5fr)_minmax(0,7fr)]">
      <Card>
        <CardHeader>
          <CardTitle>Inductor ripple</CardTitle>
          <CardDescription>Lossless CCM with N identical phases shifted by T/N. Numbers take SI prefixes: 400u is 400e-6.</CardDescription>
        </CardHeader>
        <CardContent>
          <CalcForm label="Inductor ripple" fields={fields} initial={RIPPLE_DEFAULTS} check={checkRipple} submitLabel="Calculate ripple" pending={calc.isPending} onSubmit={submit} submitOnMount />
        </CardContent>
      </Card>
      <div className="min-w-0 space-y-4">
        <Card>
          <CardHeader>
            <CardTitle>Results</CardTitle>
          </CardHeader>
          <CardContent>{result ? <RippleResults result={result} /> : <p className="text-sm text-muted-foreground">Calculate to see the ripple.</p>}</CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Summed-ripple cancellation against duty, N = {phases}</CardTitle>
            <CardDescription>
              K = ΔI_sum/ΔI_L from one calculator call per duty at the same V_in, f_sw and L; K is 0 at D = k/N. The dot is the operating point.
            </CardDescription>
          </CardHeader>
          <CardContent>
            {sweep.isError && <p className="text-sm text-destructive">The sweep failed: {sweep.error.message}</p>}
            <XYChart
              title={`Cancellation against duty for ${phases} phases`}
              testId="ripple-chart"
              x={{ label: 'Duty cycle D', unit: '', domain: [0, 1] }}
              y={{ label: 'Cancellation K', unit: '', domain: [0, 1] }}
              y2={{ label: 'Summed ripple ΔI_sum', unit: 'A', fromZero: true }}
              series={[
                { name: 'K = ΔI_sum/ΔI_L', color: '#2563eb', points: curve },
                { name: 'ΔI_sum [A]', color: '#d97706', points: summed, axis: 'right', dashed: true },
              ]}
              points={result ? [{ x: result.duty, y: result.cancellation, color: '#dc2626', label: `K = ${result.cancellation.toFixed(3)}` }] : []}
              height={280}
            />
          </CardContent>
        </Card>
      </div>
    </div>
  );
}
