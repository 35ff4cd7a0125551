import { Search } from 'lucide-react';
import { useEffect, useMemo, useState } from 'react';
import { ErrorBanner } from '@/components/ErrorBanner';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input, NativeSelect } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { colorOf } from '@/features/sim/waveformData';
import { formatPercent, formatSi } from '@/lib/format';
import { CalcForm } from '../CalcForm';
import { specsOf } from '../calcForm';
import { PV_DEFAULTS, PV_INPUTS } from '../inputs';
import { postPvCurve, usePvModules, type PvCurveResponse } from '../labsApi';
import { XYChart } from '../XYChart';

/** A curve at one irradiance level. */
export interface PvLevel {
  irradiance: number;
  curve: PvCurveResponse;
}

/** Waits `delay` ms after the last change before returning a new value. */
function useDebounced<T>(value: T, delay: number): T {
  const [current, setCurrent] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setCurrent(value), delay);
    return () => clearTimeout(timer);
  }, [value, delay]);
  return current;
}

function ModulePicker({ module, onChange }: { module: string; onChange: (name: string) => void }) {
  const [query, setQuery] = useState('CS6K-275');
  const debounced = useDebounced(query.trim(), 250);
  const modules = usePvModules(debounced, 50);
  const options = modules.data ?? [];
  const listed = options.some((option) => option.name === module);
  return (
    <fieldset className="space-y-3 rounded-lg border p-4">
      <legend className="px-1 text-sm font-semibold">Module (CEC table)</legend>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="pv-module-search">Search modules</Label>
        <div className="relative">
          <Search className="pointer-events-none absolute left-2.5 top-2.5 size-4 text-muted-foreground" aria-hidden="true" />
          <Input id="pv-module-search" className="pl-8" value={query} placeholder="manufacturer or model, e.g. canadian cs6k" onChange={(event) => setQuery(event.target.value)} />
        </div>
        <p className="text-xs text-muted-foreground">
          {modules.isFetching ? 'Searching…' : `${options.length}${options.length === 50 ? '+' : ''} modules contain every word`}
        </p>
      </div>
      {modules.isError && <ErrorBanner error={modules.error} />}
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="pv-module">Module</Label>
        <NativeSelect id="pv-module" value={module} onChange={(event) => onChange(event.target.value)}>
          {!listed && <option value={module}>{module}</option>}
          {options.map((option) => (
            <option key={option.name} value={option.name}>
              {option.name} · {option.technology} · {formatSi(option.p_stc, 'W', 4)}
            </option>
          ))}
        </NativeSelect>
      </div>
    </fieldset>
  );
}

function LevelTable({ levels }: { levels: PvLevel[] }) {
  return (
    <Table>
      <THead>
        <Tr>
          <Th>Irradiance</Th>
          <Th className="text-right">V_oc</Th>
          <Th className="text-right">I_sc</Th>
          <Th className="text-right">V_mp</Th>
          <Th className="text-right">I_mp</Th>
          <Th className="text-right">P_mp</Th>
          <Th className="text-right">Fill factor</Th>
        </Tr>
      </THead>
      <TBody>
        {levels.map((level, index) => (
          <Tr key={level.irradiance}>
            <Td className="font-mono text-xs">
              <span className="mr-2 inline-block size-2 rounded-full" style={{ background: colorOf(index) }} aria-hidden="true" />
              {level.irradiance} W/m²
            </Td>
            <Td className="text-right font-mono text-xs tabular-nums">{formatSi(level.curve.v_oc, 'V', 4)}</Td>
            <Td className="text-right font-mono text-xs tabular-nums">{formatSi(level.curve.i_sc, 'A', 4)}</Td>
            <Td className="text-right font-mono text-xs tabular-nums">{formatSi(level.curve.mpp.v, 'V', 4)}</Td>
            <Td className="text-right font-mono text-xs tabular-nums">{formatSi(level.curve.mpp.i, 'A', 4)}</Td>
            <Td className="text-right font-mono text-xs font-semibold tabular-nums" data-testid={index === 0 ? 'pv-mpp-power' : undefined}>
              {formatSi(level.curve.mpp.p, 'W', 4)}
            </Td>
            <Td className="text-right font-mono text-xs tabular-nums">{formatPercent(level.curve.fill_factor, 1)}</Td>
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}

/**
 * Module search and I-V / P-V curves at several irradiance levels, one calculator call per
 * level. Reports the module and string length it last computed, for the MPPT test.
 */
export function PvCurves({ onComputed }: { onComputed: (module: string, series: number) => void }) {
  const [module, setModule] = useState(PV_DEFAULTS.module);
  const [levels, setLevels] = useState<PvLevel[]>([]);
  const [pending, setPending] = useState(false);
  const fields = useMemo(() => specsOf('pv', PV_INPUTS), []);

  const submit = async (body: Record<string, unknown>) => {
    const irradiances = [...new Set(body.irradiance as number[])].sort((a, b) => b - a);
    const series = body.series as number;
    setPending(true);
    try {
      const curves = await Promise.all(
        irradiances.map((irradiance) =>
          postPvCurve({ module, irradiance, t_cell: body.t_cell as number, series, points: body.points as number | undefined }),
        ),
      );
      setLevels(curves.map((curve, index) => ({ irradiance: irradiances[index] ?? 0, curve })));
      onComputed(module, series);
    } finally {
      setPending(false);
    }
  };

  const current = levels.map((level, index) => ({
    name: `${level.irradiance} W/m²`,
    color: colorOf(index),
    points: level.curve.curve.map((point) => ({ x: point.v, y: point.i })),
  }));
  const power = levels.map((level, index) => ({
    name: `${level.irradiance} W/m²`,
    color: colorOf(index),
    points: level.curve.curve.map((point) => ({ x: point.v, y: point.p })),
  }));
  const first = levels[0];
  return (
    <div className="grid grid-cols-1 gap-4 xl:grid-cols-[400px_minmax(0,1fr)]">
      <Card className="self-start">
        <CardHeader>
          <CardTitle>Module and conditions</CardTitle>
          <CardDescription>Single-diode model of the CEC table (SAM 2019-03-05); identical modules in series, no mismatch or bypass diodes.</CardDescription>
        </CardHeader>
        <CardContent>
          <CalcForm label="PV curves" fields={fields} initial={PV_DEFAULTS} gridClassName="sm:grid-cols-1" submitLabel="Calculate curves" pending={pending} onSubmit={submit} submitOnMount>
            <ModulePicker module={module} onChange={setModule} />
          </CalcForm>
        </CardContent>
      </Card>
      <div className="min-w-0 space-y-4">
        <div className="grid grid-cols-1 gap-4 2xl:grid-cols-2">
          <Card className="min-w-0">
            <CardHeader>
              <CardTitle>I-V curves</CardTitle>
              <CardDescription>{first ? `${first.curve.module}, ${first.curve.series} in series; dots mark the maximum power points.` : 'Calculate to see the curves.'}</CardDescription>
            </CardHeader>
            <CardContent>
              <XYChart
                title="PV current against voltage"
                testId="pv-iv-chart"
                x={{ label: 'String voltage V', unit: 'V', fromZero: true }}
                y={{ label: 'Current I', unit: 'A', fromZero: true }}
                series={current}
                points={levels.map((level, index) => ({ x: level.curve.mpp.v, y: level.curve.mpp.i, color: colorOf(index) }))}
                height={280}
              />
            </CardContent>
          </Card>
          <Card className="min-w-0">
            <CardHeader>
              <CardTitle>P-V curves</CardTitle>
              <CardDescription>Power of the whole string; the MPP of the highest irradiance is labelled.</CardDescription>
            </CardHeader>
            <CardContent>
              <XYChart
                title="PV power against voltage"
                testId="pv-pv-chart"
                x={{ label: 'String voltage V', unit: 'V', fromZero: true }}
                y={{ label: 'Power P', unit: 'W', fromZero: true }}
                series={power}
                points={levels.map((level, index) => ({
                  x: level.curve.mpp.v,
                  y: level.curve.mpp.p,
                  color: colorOf(index),
                  label: index === 0 ? `MPP ${formatSi(level.curve.mpp.p, 'W', 4)}` : undefined,
                }))}
                height={280}
              />
            </CardContent>
          </Card>
        </div>
        <Card>
          <CardHeader>
            <CardTitle>Maximum power points</CardTitle>
          </CardHeader>
          <CardContent>{levels.length > 0 ? <LevelTable levels={levels} /> : <p className="text-sm text-muted-foreground">No curves yet.</p>}</CardContent>
        </Card>
      </div>
    </div>
  );
}
