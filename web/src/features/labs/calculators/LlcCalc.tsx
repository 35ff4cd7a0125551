import { useMemo } from 'react';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { colorOf } from '@/features/sim/waveformData';
import { formatSi } from '@/lib/format';
import { CalcForm } from '../CalcForm';
import { specsOf } from '../calcForm';
import { checkLlc, LLC_DEFAULTS, LLC_INPUTS } from '../inputs';
import { useLlcTankCalc, type LlcTankResponse } from '../labsApi';
import { ResultList } from '../ResultList';
import { XYChart } from '../XYChart';


function LlcResults({ result }: { result: LlcTankResponse }) {
  return (
    <div className="space-y-4">
      <ResultList
        rows={[
          { label: 'Series resonance', symbol: 'f_r', value: formatSi(result.f_r, 'Hz', 4), key: true, testId: 'llc-fr' },
          { label: 'Parallel resonance', symbol: 'f_p', value: formatSi(result.f_p, 'Hz', 4) },
          { label: 'Inductance ratio', symbol: 'k = L_m/L_r', value: result.k.toPrecision(4) },
          { label: 'Characteristic impedance', symbol: 'Z_0', value: formatSi(result.z_0, 'Ω', 4) },
        ]}
      />
      <Table>
        <THead>
          <Tr>
            <Th>Load R</Th>
            <Th className="text-right">R_ac</Th>
            <Th className="text-right">Q</Th>
            <Th className="text-right">Peak gain</Th>
            <Th className="text-right">at f</Th>
          </Tr>
        </THead>
        <TBody>
          {result.loads.map((load, index) => (
            <Tr key={`${load.r_load}-${index}`}>
              <Td className="font-mono text-xs">
                <span className="mr-2 inline-block size-2 rounded-full" style={{ background: colorOf(index) }} aria-hidden="true" />
                {formatSi(load.r_load, 'Ω', 4)}
              </Td>
              <Td className="text-right font-mono text-xs tabular-nums">{formatSi(load.r_ac, 'Ω', 4)}</Td>
              <Td className="text-right font-mono text-xs tabular-nums">{load.q.toPrecision(4)}</Td>
              <Td className="text-right font-mono text-xs font-semibold tabular-nums">{load.peak.gain.toFixed(4)}</Td>
              <Td className="text-right font-mono text-xs tabular-nums">{formatSi(load.peak.f, 'Hz', 4)}</Td>
            </Tr>
          ))}
        </TBody>
      </Table>
    </div>
  );
}

/** First-harmonic gain curves of an LLC tank for several loads. */
export function LlcCalc() {
  const calc = useLlcTankCalc();
  const fields = useMemo(() => specsOf('llc', LLC_INPUTS), []);
  const result = calc.data;
  const series = (result?.loads ?? []).map((load, index) => ({
    name: `R = ${formatSi(load.r_load, 'Ω', 3)}`,
    color: colorOf(index),
    points: load.curve.map((point) => ({ x: point.f, y: point.gain })),
  }));
  return (
    <div className="grid grid-cols-1 gap-4 xl:grid-cols-[minmax(0,5fr)_minmax(0,7fr)]">
      <Card>
        <CardHeader>
          <CardTitle>LLC tank</CardTitle>
          <CardDescription>First-harmonic approximation of the half-bridge LLC; it holds near f_r. Give loads comma-separated.</CardDescription>
        </CardHeader>
        <CardContent>
          <CalcForm label="LLC tank" fields={fields} initial={LLC_DEFAULTS} check={checkLlc} wideKeys={['loads']} submitLabel="Calculate gain curves" pending={calc.isPending} onSubmit={(body) => calc.mutateAsync(body)} submitOnMount />
        </CardContent>
      </Card>
      <div className="min-w-0 space-y-4">
        <Card>
          <CardHeader>
            <CardTitle>Gain curves</CardTitle>
            <CardDescription>M = n·V_out/(V_in/2) against switching frequency on a log axis; dots mark each load's peak in [f_p, f_r].</CardDescription>
          </CardHeader>
          <CardContent>
            <XYChart
              title="LLC gain against frequency"
              testId="llc-chart"
              x={{ label: 'Switching frequency f', unit: 'Hz', log: true }}
              y={{ label: 'Gain M', unit: '' }}
              series={series}
              xMarkers={result ? [{ x: result.f_r, label: 'f_r' }, { x: result.f_p, label: 'f_p' }] : []}
              points={(result?.loads ?? []).map((load, index) => ({ x: load.peak.f, y: load.peak.gain, color: colorOf(index) }))}
              height={320}
            />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Results</CardTitle>
          </CardHeader>
          <CardContent>{result ? <LlcResults result={result} /> : <p className="text-sm text-muted-foreground">Calculate to see the curves.</p>}</CardContent>
        </Card>
      </div>
    </div>
  );
}
