import { AlertTriangle } from 'lucide-react';
import { useEffect, useMemo, useState } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { useRun, useRuns } from '@/api/queries';
import { ErrorBanner } from '@/components/ErrorBanner';
import { PageLoading } from '@/components/PageLoading';
import { StatusBadge } from '@/components/StatusBadge';
import { Alert } from '@/components/ui/alert';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { NativeSelect } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { formatSi, formatTime } from '@/lib/format';
import {
  deviceLosses,
  efficiencyOf,
  elementLosses,
  junctions,
  keyFigures,
  metricsOf,
  resultOf,
  tablesOf,
  type ResultTable,
} from '@/lib/summary';
import { useWorkbenchStore } from '@/stores/workbench';
import { LoadSweep, LossSunburst, PowerFactorGauge, ThdChart, ThermalMap } from './RunCharts';

const LOSS_COLORS = { conduction: '#2563eb', switching: '#dc2626', recovery: '#d97706', coss: '#7c3aed', total: '#475569' };
const axisStyle = { fontSize: 12, fill: 'var(--chart-axis)' };
const tooltipStyle = {
  contentStyle: { background: 'var(--card)', border: '1px solid var(--border)', borderRadius: 6, fontSize: 12, color: 'var(--foreground)' },
  labelStyle: { color: 'var(--foreground)', fontWeight: 600 },
};

function watts(value: unknown): string {
  return typeof value === 'number' ? formatSi(value, 'W') : String(value);
}

function ChartCard({ title, description, children }: { title: string; description?: string; children: React.ReactNode }) {
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

function DeviceLossChart({ summary }: { summary: unknown }) {
  const rows = deviceLosses(summary);
  if (rows.length === 0) return null;
  const split = rows.some((row) => row.conduction + row.switching + row.recovery + row.coss > 0);
  // Parts without recovery or Coss data report 0 W there; those stacks are left out.
  const stacks = (
    [
      ['conduction', 'Conduction'],
      ['switching', 'Switching'],
      ['recovery', 'Recovery'],
      ['coss', 'Coss'],
    ] as const
  ).filter(([key]) => rows.some((row) => row[key] > 0));
  return (
    <ChartCard
      title="Semiconductor losses per device"
      description={split ? 'Conduction, switching (turn-on + turn-off), recovery and Coss losses, stacked [W].' : 'Total loss per device [W]; this kernel does not split it.'}
    >
      <div className="h-72" role="img" aria-label={`Losses per device: ${rows.map((row) => `${row.device} ${watts(row.total)}`).join(', ')}`}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={rows} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--chart-grid)" />
            <XAxis dataKey="device" tick={axisStyle} />
            <YAxis tick={axisStyle} tickFormatter={(value: number) => formatSi(value, 'W', 2)} width={64} />
            <Tooltip formatter={(value) => watts(value)} {...tooltipStyle} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            {split ? (
              stacks.map(([key, name]) => <Bar isAnimationActive={false} key={key} dataKey={key} name={name} stackId="loss" fill={LOSS_COLORS[key]} />)
            ) : (
              <Bar isAnimationActive={false} dataKey="total" name="Total" fill={LOSS_COLORS.total} />
            )}
          </BarChart>
        </ResponsiveContainer>
      </div>
      <Table className="mt-2">
        <THead>
          <Tr>
            <Th>Device</Th>
            <Th>Part</Th>
            <Th className="text-right">Conduction</Th>
            <Th className="text-right">Switching</Th>
            <Th className="text-right">Total</Th>
          </Tr>
        </THead>
        <TBody>
          {rows.map((row) => (
            <Tr key={row.device}>
              <Td className="font-mono text-xs">{row.device}</Td>
              <Td className="font-mono text-xs">{row.part || '–'}</Td>
              <Td className="text-right tabular-nums">{split ? watts(row.conduction) : '–'}</Td>
              <Td className="text-right tabular-nums">{split ? watts(row.switching) : '–'}</Td>
              <Td className="text-right font-medium tabular-nums">{watts(row.total)}</Td>
            </Tr>
          ))}
        </TBody>
      </Table>
    </ChartCard>
  );
}

function ElementLossChart({ summary }: { summary: unknown }) {
  const rows = elementLosses(summary).sort((a, b) => b.power - a.power);
  if (rows.length === 0) return null;
  return (
    <ChartCard title="Circuit losses per element" description="Losses of the simulated circuit elements (ideal switches, resistances) [W].">
      <div className="h-72" role="img" aria-label={`Losses per element: ${rows.map((row) => `${row.element} ${watts(row.power)}`).join(', ')}`}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={rows} layout="vertical" margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--chart-grid)" />
            <XAxis type="number" tick={axisStyle} tickFormatter={(value: number) => formatSi(value, 'W', 2)} />
            <YAxis type="category" dataKey="element" tick={axisStyle} width={56} />
            <Tooltip formatter={(value) => watts(value)} {...tooltipStyle} />
            <Bar isAnimationActive={false} dataKey="power" name="Loss" fill={LOSS_COLORS.total} />
          </BarChart>
        </ResponsiveContainer>
      </div>
    </ChartCard>
  );
}

function JunctionChart({ summary }: { summary: unknown }) {
  const rows = junctions(summary);
  if (rows.length === 0) return null;
  const hasFinal = rows.some((row) => row.tjFinal !== undefined);
  const limit = metricsOf(summary).find((item) => item.name === 'tj_limit')?.value;
  return (
    <ChartCard title="Junction temperature per device" description="Highest junction temperature over the run [°C].">
      <div className="h-72" role="img" aria-label={`Junction temperatures: ${rows.map((row) => `${row.device} ${row.tjMax.toFixed(1)} °C`).join(', ')}`}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={rows} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--chart-grid)" />
            <XAxis dataKey="device" tick={axisStyle} />
            <YAxis tick={axisStyle} unit=" °C" width={64} />
            <Tooltip formatter={(value) => (typeof value === 'number' ? `${value.toFixed(1)} °C` : String(value))} {...tooltipStyle} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            <Bar isAnimationActive={false} dataKey="tjMax" name="Tj max" fill="#dc2626" />
            {hasFinal && <Bar isAnimationActive={false} dataKey="tjFinal" name="Tj at end" fill="#d97706" />}
            {limit !== undefined && <ReferenceLine y={limit} stroke="var(--destructive)" strokeDasharray="4 4" label={{ value: `limit ${limit} °C`, fontSize: 11, fill: 'var(--destructive)' }} />}
          </BarChart>
        </ResponsiveContainer>
      </div>
    </ChartCard>
  );
}

function columnLabel(column: { name: string; unit: string }): string {
  return column.unit && column.unit !== '1' ? `${column.name} [${column.unit}]` : column.name;
}

function ResultTableChart({ table }: { table: ResultTable }) {
  // Opens on an efficiency column when the table has one (the figure a reader looks
  // for first), else on the first column after the x column.
  const [column, setColumn] = useState(() => {
    const efficiency = table.columns.findIndex((col, index) => index > 0 && col.name.includes('efficiency'));
    return efficiency > 0 ? efficiency : 1;
  });
  const id = `table-${table.name}`;
  if (table.rows.length === 1) {
    const row = table.rows[0] ?? [];
    const data = table.columns.map((col, index) => ({ name: col.name, value: row[index] ?? 0, unit: col.unit }));
    return (
      <ChartCard title={table.name.replace(/_/g, ' ')} description={table.description}>
        <div className="h-64" role="img" aria-label={`${table.name}: ${data.map((item) => `${item.name} ${item.value.toFixed(2)} ${item.unit}`).join(', ')}`}>
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={data} layout="vertical" margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="var(--chart-grid)" />
              <XAxis type="number" tick={axisStyle} unit={` ${table.columns[0]?.unit ?? ''}`} />
              <YAxis type="category" dataKey="name" tick={axisStyle} width={150} />
              <Tooltip formatter={(value) => (typeof value === 'number' ? value.toFixed(2) : String(value))} {...tooltipStyle} />
              <Bar isAnimationActive={false} dataKey="value" name="Value" fill="#2563eb" />
            </BarChart>
          </ResponsiveContainer>
        </div>
      </ChartCard>
    );
  }
  const x = table.columns[0];
  const y = table.columns[column];
  const data = table.rows.map((row) => ({ x: row[0], y: row[column] }));
  return (
    <ChartCard title={table.name.replace(/_/g, ' ')} description={table.description}>
      <div className="mb-2 flex items-center gap-2">
        <Label htmlFor={id} className="text-xs">
          Column
        </Label>
        <NativeSelect id={id} className="h-8 w-64" value={column} onChange={(event) => setColumn(Number(event.target.value))}>
          {table.columns.slice(1).map((col, index) => (
            <option key={col.name} value={index + 1}>
              {columnLabel(col)}
            </option>
          ))}
        </NativeSelect>
      </div>
      <div className="h-64" role="img" aria-label={`${table.name}: ${y ? columnLabel(y) : ''} against ${x ? columnLabel(x) : ''}`}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 8, right: 16, bottom: 16, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--chart-grid)" />
            <XAxis dataKey="x" type="number" domain={['dataMin', 'dataMax']} tick={axisStyle} label={{ value: x ? columnLabel(x) : '', position: 'insideBottom', offset: -8, fontSize: 12, fill: 'var(--chart-axis)' }} />
            <YAxis tick={axisStyle} width={72} tickFormatter={(value: number) => formatSi(value, '', 3)} />
            <Tooltip formatter={(value) => (typeof value === 'number' ? formatSi(value, y?.unit === '1' ? '' : (y?.unit ?? ''), 4) : String(value))} labelFormatter={(label) => `${x?.name ?? 'x'} = ${String(label)}`} {...tooltipStyle} />
            <Line type="monotone" dataKey="y" name={y ? columnLabel(y) : ''} stroke="#2563eb" dot={false} strokeWidth={2} connectNulls={false} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>
    </ChartCard>
  );
}

function MetricsTable({ summary }: { summary: unknown }) {
  const metrics = metricsOf(summary);
  if (metrics.length === 0) return null;
  return (
    <ChartCard title="Results" description="Scalar results of the model, as reported by the kernel.">
      <div className="max-h-96 overflow-y-auto">
        <Table>
          <THead>
            <Tr>
              <Th>Name</Th>
              <Th className="text-right">Value</Th>
              <Th>Meaning</Th>
            </Tr>
          </THead>
          <TBody>
            {metrics.map((metric) => (
              <Tr key={metric.name}>
                <Td className="font-mono text-xs">{metric.name}</Td>
                <Td className="whitespace-nowrap text-right font-mono text-xs tabular-nums">
                  {formatSi(metric.value, metric.unit === '1' ? '' : metric.unit, 4)}
                </Td>
                <Td className="text-xs text-muted-foreground">{metric.description}</Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      </div>
    </ChartCard>
  );
}

function warningsOf(summary: unknown): string[] {
  const result = resultOf(summary);
  const list: unknown[] = [];
  if (Array.isArray(result.warnings)) list.push(...result.warnings);
  const semis = result.semiconductors;
  if (semis && typeof semis === 'object' && !Array.isArray(semis) && Array.isArray(semis.warnings)) list.push(...semis.warnings);
  return list.filter((item): item is string => typeof item === 'string');
}

/** Analytics of one finished run: efficiency, losses per device, junction temperatures, model results. */
export default function AnalyticsTab({ projectId }: { projectId: string }) {
  const runs = useRuns(projectId);
  const storedRunId = useWorkbenchStore((state) => state.runByProject[projectId] ?? null);
  const selectRun = useWorkbenchStore((state) => state.selectRun);
  const doneRuns = useMemo(() => runs.data?.filter((run) => run.status === 'done') ?? [], [runs.data]);
  const runId = doneRuns.some((run) => run.id === storedRunId) ? storedRunId : (doneRuns[0]?.id ?? null);
  const run = useRun(runId);

  useEffect(() => {
    if (runId && runId !== storedRunId) selectRun(projectId, runId);
  }, [runId, storedRunId, projectId, selectRun]);

  const summary = run.data?.summary;
  const figures = keyFigures(summary, 5);
  const efficiency = efficiencyOf(summary);
  const warnings = warningsOf(summary);

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-4">
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="analytics-run">Finished run</Label>
          <NativeSelect id="analytics-run" className="w-[420px] max-w-full" value={runId ?? ''} onChange={(event) => selectRun(projectId, event.target.value)}>
            {doneRuns.length === 0 && <option value="">No finished runs</option>}
            {doneRuns.map((item) => (
              <option key={item.id} value={item.id}>
                {item.title || item.kernel} · {formatTime(item.finished_at ?? item.created_at)}
              </option>
            ))}
          </NativeSelect>
        </div>
        {run.data && <StatusBadge status={run.data.status} />}
      </div>
      {runs.isError && <ErrorBanner error={runs.error} onRetry={() => void runs.refetch()} />}
      {run.isError && <ErrorBanner error={run.error} onRetry={() => void run.refetch()} />}
      {runId !== null && run.isPending && <PageLoading />}
      {doneRuns.length === 0 && runs.isSuccess && (
        <Card>
          <CardContent className="py-10 text-center text-sm text-muted-foreground">No finished run yet: run a design in the Simulation tab.</CardContent>
        </Card>
      )}
      {run.data && (
        <>
          <div className="grid grid-cols-2 gap-3 md:grid-cols-5">
            {figures.map((figure) => (
              <Card key={figure.label}>
                <CardContent className="p-4">
                  <p className="text-xs text-muted-foreground">{figure.label}</p>
                  <p className="mt-1 font-mono text-xl font-semibold tabular-nums">
                    {figure.unit === '%' ? `${figure.value.toFixed(2)} %` : formatSi(figure.value, figure.unit, 4)}
                  </p>
                </CardContent>
              </Card>
            ))}
          </div>
          {efficiency === undefined && figures.length === 0 && (
            <p className="text-sm text-muted-foreground">This run's summary has no efficiency, loss or temperature figures.</p>
          )}
          {warnings.length > 0 && (
            <Alert variant="warning">
              <AlertTriangle aria-hidden="true" />
              <details className="flex-1">
                <summary className="cursor-pointer rounded-sm font-medium focus-visible:outline-2 focus-visible:outline-ring">
                  {warnings.length === 1 ? '1 warning' : `${warnings.length} warnings`} from the simulator: {warnings[0]}
                </summary>
                <ul className="mt-2 list-disc space-y-1 pl-4">
                  {warnings.slice(1).map((warning) => (
                    <li key={warning}>{warning}</li>
                  ))}
                </ul>
              </details>
            </Alert>
          )}
          <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
            <LossSunburst summary={summary} />
            <DeviceLossChart summary={summary} />
            <ElementLossChart summary={summary} />
            <ThdChart summary={summary} />
            <PowerFactorGauge summary={summary} />
            <LoadSweep key={run.data.id} run={run.data} />
            <JunctionChart summary={summary} />
            <ThermalMap summary={summary} />
            {tablesOf(summary).map((table) => (
              <ResultTableChart key={table.name} table={table} />
            ))}
            <MetricsTable summary={summary} />
          </div>
        </>
      )}
    </div>
  );
}
