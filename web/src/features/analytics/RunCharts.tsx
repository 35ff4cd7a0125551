// Extra charts of the Analytics tab: loss sunburst, THD bars, power-factor gauge, load sweep
// and thermal map. Loaded with the tab (and Recharts) only.
import { useMutation, useQuery } from '@tanstack/react-query';
import { Play } from 'lucide-react';
import { useState } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  Line,
  LineChart,
  Pie,
  PieChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { api, request, type Run } from '@/api/client';
import { useParts } from '@/api/queries';
import { ErrorBanner } from '@/components/ErrorBanner';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import {
  heatColor,
  heatTextColor,
  IEEE519_CURRENT_THD,
  LOSS_TYPE_LABELS,
  loadResistanceOf,
  lossRings,
  powerFactorOf,
  sweepFinished,
  sweepLoadValues,
  sweepPoints,
  thdRows,
  thermalTiles,
  type LossType,
} from '@/lib/analytics';
import { formatSi } from '@/lib/format';
import { metricsOf } from '@/lib/summary';
import { DeniedReason } from '@/features/auth/DeniedReason';
import { usePermission } from '@/features/auth/permissions';

const axisStyle = { fontSize: 12, fill: 'var(--chart-axis)' };
const tooltipStyle = {
  contentStyle: { background: 'var(--card)', border: '1px solid var(--border)', borderRadius: 6, fontSize: 12, color: 'var(--foreground)' },
  labelStyle: { color: 'var(--foreground)', fontWeight: 600 },
  itemStyle: { color: 'var(--foreground)' },
};
// Devices take dark hues and loss types light ones, so the two rings stay apart.
const DEVICE_COLORS = ['#1e40af', '#0f766e', '#15803d', '#7e22ce', '#be185d', '#9a3412', '#3730a3', '#854d0e', '#0369a1', '#a21caf', '#475569', '#166534'];
const TYPE_COLORS: Record<LossType, string> = { conduction: '#38bdf8', switching: '#f87171', recovery: '#fbbf24', coss: '#c084fc', other: '#94a3b8' };

function watts(value: unknown): string {
  return typeof value === 'number' ? formatSi(value, 'W') : String(value);
}

function Section({ title, description, children }: { title: string; description?: string; children: React.ReactNode }) {
  return (
    <Card className="min-w-0">
      <CardHeader>
        <CardTitle>{title}</CardTitle>
        {description && <CardDescription>{description}</CardDescription>}
      </CardHeader>
      <CardContent>{children}</CardContent>
    </Card>
  );
}

/** Two concentric pies: devices (or circuit elements) inside, loss types outside. */
export function LossSunburst({ summary }: { summary: unknown }) {
  const rings = lossRings(summary);
  if (rings.inner.length === 0) return null;
  const colorOf = new Map(rings.inner.map((slice, index) => [slice.name, DEVICE_COLORS[index % DEVICE_COLORS.length] ?? '#2563eb']));
  // Without any split the outer ring would repeat the inner one, so it is left out.
  const split = rings.outer.some((slice) => slice.type !== 'other');
  const types = split ? [...new Set(rings.outer.map((slice) => slice.type))] : [];
  const legend = [
    ...rings.inner.map((slice) => ({ value: slice.name, type: 'square' as const, color: colorOf.get(slice.name) ?? '#2563eb', id: `d-${slice.name}` })),
    ...types.map((type) => ({ value: LOSS_TYPE_LABELS[type], type: 'circle' as const, color: TYPE_COLORS[type], id: `t-${type}` })),
  ];
  const percent = (value: number) => (rings.total > 0 ? `${((value / rings.total) * 100).toFixed(1)} %` : '–');
  return (
    <Section
      title="Loss breakdown"
      description={
        split
          ? `Inner ring: loss per device; outer ring: the same loss by type. Total ${watts(rings.total)}.`
          : `Loss per element; this run does not split losses by type. Total ${watts(rings.total)}.`
      }
    >
      <div
        className="h-80"
        data-testid="loss-sunburst"
        role="img"
        aria-label={`Loss breakdown, ${watts(rings.total)} in all: ${rings.outer.map((slice) => `${slice.name} ${watts(slice.value)}`).join(', ')}`}
      >
        <ResponsiveContainer width="100%" height="100%">
          <PieChart>
            <Pie data={rings.inner} dataKey="value" nameKey="name" cx="50%" cy="50%" innerRadius="22%" outerRadius="52%" isAnimationActive={false} stroke="var(--card)">
              {rings.inner.map((slice) => (
                <Cell key={slice.name} fill={colorOf.get(slice.name)} />
              ))}
            </Pie>
            {split && (
              <Pie data={rings.outer} dataKey="value" nameKey="name" cx="50%" cy="50%" innerRadius="56%" outerRadius="80%" isAnimationActive={false} stroke="var(--card)">
                {rings.outer.map((slice) => (
                  <Cell key={slice.name} fill={TYPE_COLORS[slice.type]} />
                ))}
              </Pie>
            )}
            <Tooltip formatter={(value) => watts(value)} {...tooltipStyle} />
          </PieChart>
        </ResponsiveContainer>
      </div>
      <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs" aria-label="Legend of the loss breakdown">
        {legend.map((item) => (
          <li key={item.id} className="flex items-center gap-1.5">
            <span aria-hidden="true" className={item.type === 'circle' ? 'size-2.5 rounded-full' : 'size-2.5 rounded-sm'} style={{ background: item.color }} />
            {item.value}
          </li>
        ))}
      </ul>
      <details className="mt-2 text-sm">
        <summary className="cursor-pointer rounded-sm text-muted-foreground focus-visible:outline-2 focus-visible:outline-ring">Loss breakdown as a table</summary>
        <Table className="mt-2">
          <THead>
            <Tr>
              <Th>Device</Th>
              <Th>Loss type</Th>
              <Th className="text-right">Loss</Th>
              <Th className="text-right">Share</Th>
            </Tr>
          </THead>
          <TBody>
            {rings.outer.map((slice) => (
              <Tr key={slice.name}>
                <Td className="font-mono text-xs">{slice.owner}</Td>
                <Td>{LOSS_TYPE_LABELS[slice.type]}</Td>
                <Td className="text-right tabular-nums">{watts(slice.value)}</Td>
                <Td className="text-right tabular-nums">{percent(slice.value)}</Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      </details>
    </Section>
  );
}

/** THD of each current and voltage result, with the IEEE 519 5 % current line for reference. */
export function ThdChart({ summary }: { summary: unknown }) {
  const rows = thdRows(summary);
  if (rows.length === 0) return null;
  const hasCurrent = rows.some((row) => row.kind === 'current');
  const top = Math.max(IEEE519_CURRENT_THD * 1.4, ...rows.map((row) => row.thd * 1.15));
  return (
    <Section
      title="Total harmonic distortion"
      description={hasCurrent ? 'THD per signal [%]. The dashed line is the 5 % IEEE 519 current-distortion limit, shown for reference.' : 'THD per signal [%].'}
    >
      <div className="h-64" data-testid="thd-chart" role="img" aria-label={`THD: ${rows.map((row) => `${row.label} ${row.thd.toFixed(2)} %`).join(', ')}`}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={rows} margin={{ top: 16, right: 16, bottom: 8, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--chart-grid)" />
            <XAxis dataKey="label" tick={axisStyle} />
            <YAxis tick={axisStyle} unit=" %" width={56} domain={[0, Number(top.toPrecision(2))]} />
            <Tooltip formatter={(value) => (typeof value === 'number' ? `${value.toFixed(2)} %` : String(value))} {...tooltipStyle} />
            <Bar isAnimationActive={false} dataKey="thd" name="THD" maxBarSize={72}>
              {rows.map((row) => (
                <Cell key={row.name} fill={row.kind === 'voltage' ? '#0891b2' : '#2563eb'} />
              ))}
            </Bar>
            {hasCurrent && (
              <ReferenceLine
                y={IEEE519_CURRENT_THD}
                stroke="var(--chart-axis)"
                strokeDasharray="5 4"
                label={{ value: 'IEEE 519 reference 5 %', position: 'insideTopRight', fontSize: 11, fill: 'var(--chart-axis)' }}
              />
            )}
          </BarChart>
        </ResponsiveContainer>
      </div>
    </Section>
  );
}

/** Draws a semicircular gauge of the power factor from 0 to 1, with the value as text. */
export function PowerFactorGauge({ summary }: { summary: unknown }) {
  const pf = powerFactorOf(summary);
  if (pf === undefined) return null;
  const shown = Math.abs(pf);
  const data = [
    { name: 'Power factor', value: shown },
    { name: 'Rest', value: 1 - shown },
  ];
  return (
    <Section title="Power factor" description="True power factor at the grid connection, distortion included (0 to 1).">
      <div className="relative h-48" data-testid="pf-gauge" role="img" aria-label={`Power factor ${pf.toFixed(3)}`}>
        <ResponsiveContainer width="100%" height="100%">
          <PieChart>
            <Pie data={data} dataKey="value" cx="50%" cy="85%" startAngle={180} endAngle={0} innerRadius="95%" outerRadius="130%" isAnimationActive={false} stroke="none">
              <Cell fill="#16a34a" />
              <Cell fill="var(--chart-grid)" />
            </Pie>
          </PieChart>
        </ResponsiveContainer>
        <div className="pointer-events-none absolute inset-x-0 bottom-3 text-center">
          <p className="font-mono text-3xl font-semibold tabular-nums">{pf.toFixed(3)}</p>
          <p className="text-xs text-muted-foreground">{pf < 0 ? 'power flows from the grid' : 'scale 0 to 1'}</p>
        </div>
      </div>
    </Section>
  );
}

type SweepResult = Awaited<ReturnType<typeof fetchSweep>>;

function fetchSweep(id: string) {
  return request(() => api.GET('/api/v1/simulate/sweep/{id}', { params: { path: { id } } }));
}

function sweepBase(run: Run): Record<string, unknown> {
  if (run.design_id) return { project_id: run.project_id, design_id: run.design_id };
  const design = (run.request as { design?: Record<string, unknown> } | null)?.design ?? {};
  return {
    project_id: run.project_id,
    topology: design.kernel,
    parameters: design.parameters,
    controller: design.control,
    simulation: design.simulation,
    devices: design.devices,
  };
}

/** "Sweep load": runs the design at 6 loads around its r_load and plots efficiency against output power. */
export function LoadSweep({ run }: { run: Run }) {
  const rLoad = loadResistanceOf(run.summary);
  const [sweepId, setSweepId] = useState<string | null>(null);
  const permission = usePermission('sweep.run');
  const start = useMutation({
    mutationFn: (values: number[]) =>
      request(() =>
        api.POST('/api/v1/simulate/sweep', {
          body: { base: sweepBase(run) as never, parameter: 'parameters.r_load', values },
        }),
      ),
    onSuccess: (data) => setSweepId(data.sweep_id),
  });
  const sweep = useQuery({
    queryKey: ['sweep', sweepId],
    queryFn: () => fetchSweep(sweepId ?? ''),
    enabled: sweepId !== null,
    refetchInterval: (query) => {
      const data = query.state.data as SweepResult | undefined;
      return data && (data.complete || sweepFinished(data.rows)) ? false : 1000;
    },
  });
  if (rLoad === undefined) return null;
  const values = sweepLoadValues(rLoad, 6);
  const rows = sweep.data?.rows ?? [];
  const finished = rows.filter((row) => row.status !== 'queued' && row.status !== 'running').length;
  const done = sweep.data ? sweep.data.complete || sweepFinished(rows) : false;
  const running = start.isPending || (sweepId !== null && !done && !sweep.isError);
  const points = sweepPoints(rows);
  const failed = rows.filter((row) => row.status === 'failed' || row.error);
  return (
    <Section
      title="Efficiency against load"
      description={`Runs this design at ${values.length} load resistances from ${formatSi(values[0] ?? 0, 'Ω', 3)} to ${formatSi(values[values.length - 1] ?? 0, 'Ω', 3)} (0.25× to 4× of ${formatSi(rLoad, 'Ω', 3)}).`}
    >
      <div className="mb-3 flex flex-wrap items-center gap-3">
        <Button
          size="sm"
          onClick={() => start.mutate(values)}
          disabled={running || !permission.allowed}
          aria-describedby={permission.reason ? 'sweep-denied' : undefined}
        >
          <Play aria-hidden="true" /> Sweep load
        </Button>
        <DeniedReason id="sweep-denied" reason={permission.reason} />
        {sweepId !== null && (
          <p className="text-sm text-muted-foreground" role="status" aria-live="polite" data-testid="sweep-progress">
            {done ? `Sweep finished: ${points.length} of ${rows.length} points.` : `Running: ${finished} of ${rows.length || values.length} runs finished…`}
          </p>
        )}
      </div>
      {start.isError && <ErrorBanner error={start.error} />}
      {sweep.isError && <ErrorBanner error={sweep.error} onRetry={() => void sweep.refetch()} />}
      {failed.length > 0 && (
        <ul className="mb-2 list-disc pl-5 text-sm text-destructive">
          {failed.map((row) => (
            <li key={row.run_id}>
              {formatSi(row.value, 'Ω', 3)}: {row.error ?? row.status}
            </li>
          ))}
        </ul>
      )}
      {points.length > 0 && (
        <div
          className="h-64"
          data-testid="sweep-chart"
          data-points={points.length}
          role="img"
          aria-label={`Efficiency against output power: ${points.map((point) => `${formatSi(point.pOut, 'W', 3)} ${point.efficiency.toFixed(2)} %`).join(', ')}`}
        >
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={points} margin={{ top: 8, right: 16, bottom: 16, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="var(--chart-grid)" />
              <XAxis
                dataKey="pOut"
                type="number"
                domain={['dataMin', 'dataMax']}
                tick={axisStyle}
                tickFormatter={(value: number) => formatSi(value, 'W', 2)}
                label={{ value: 'Output power [W]', position: 'insideBottom', offset: -8, fontSize: 12, fill: 'var(--chart-axis)' }}
              />
              <YAxis
                tick={axisStyle}
                width={72}
                domain={['auto', 'auto']}
                tickFormatter={(value: number) => value.toFixed(2)}
                label={{ value: 'Efficiency [%]', angle: -90, position: 'insideLeft', fontSize: 12, fill: 'var(--chart-axis)' }}
              />
              <Tooltip
                formatter={(value) => (typeof value === 'number' ? `${value.toFixed(3)} %` : String(value))}
                labelFormatter={(label) => (typeof label === 'number' ? `P out ${formatSi(label, 'W', 4)}` : String(label))}
                {...tooltipStyle}
              />
              <Line type="monotone" dataKey="efficiency" name="Efficiency" stroke="#2563eb" strokeWidth={2} dot={{ r: 4 }} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </div>
      )}
    </Section>
  );
}

/** Draws one tile per device, coloured by Tj max on the scale from ambient to the Tj limit. */
export function ThermalMap({ summary }: { summary: unknown }) {
  const parts = useParts();
  const limits: Record<string, number> = {};
  for (const part of parts.data ?? []) if (part.t_j_max_c != null) limits[part.name] = part.t_j_max_c;
  const fallback = metricsOf(summary).find((item) => item.name === 'tj_limit')?.value ?? 175;
  const { tiles, ambient } = thermalTiles(summary, limits, fallback);
  if (tiles.length === 0) return null;
  const limitsShown = [...new Set(tiles.map((tile) => limits[tile.part] ?? fallback))];
  return (
    <Section
      title="Thermal map"
      description={`Tj max per device on a scale from ambient (${ambient} °C) to the Tj limit (${limitsShown.map((value) => `${value} °C`).join(', ')}).`}
    >
      <ul className="grid grid-cols-2 gap-3 sm:grid-cols-3" data-testid="thermal-map">
        {tiles.map((tile) => (
          <li
            key={tile.device}
            className="rounded-md border p-3"
            style={{ background: heatColor(tile.fraction), color: heatTextColor(tile.fraction) }}
            aria-label={`${tile.device}: Tj max ${tile.tjMax.toFixed(1)} °C, ${Math.round(tile.fraction * 100)} % of the way from ambient to the limit${tile.overLimit ? ', above the limit' : ''}`}
          >
            <p className="font-mono text-sm font-semibold">{tile.device}</p>
            {tile.part && <p className="truncate text-xs">{tile.part}</p>}
            <p className="mt-1 font-mono text-xl font-semibold tabular-nums">{tile.tjMax.toFixed(1)} °C</p>
            {tile.overLimit && <p className="text-xs font-semibold">above the limit</p>}
          </li>
        ))}
      </ul>
      <div className="mt-3 flex items-center gap-2 text-xs text-muted-foreground" aria-hidden="true">
        <span>{ambient} °C</span>
        <span className="h-2 flex-1 rounded" style={{ background: `linear-gradient(to right, ${[0, 0.25, 0.5, 0.75, 1].map(heatColor).join(', ')})` }} />
        <span>{Math.max(...limitsShown)} °C</span>
      </div>
    </Section>
  );
}
