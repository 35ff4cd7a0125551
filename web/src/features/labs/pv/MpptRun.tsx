import { ExternalLink } from 'lucide-react';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { api, request } from '@/api/client';
import { useCreateProject, useProjects, useRun, useWaveforms } from '@/api/queries';
import { ErrorBanner } from '@/components/ErrorBanner';
import { StatusBadge } from '@/components/StatusBadge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { NativeSelect } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Progress } from '@/components/ui/progress';
import { SignalPicker } from '@/features/sim/SimulationTab';
import { useRunStream } from '@/features/sim/useRunStream';
import { WaveformChart } from '@/features/sim/WaveformChart';
import { fromView } from '@/features/sim/waveformData';
import { metricsOf } from '@/lib/summary';
import { CalcForm } from '../CalcForm';
import { specsOf } from '../calcForm';
import { MPPT_DEFAULTS, MPPT_INPUTS } from '../inputs';
import { ResultList } from '../ResultList';
import { usePermission } from '@/features/auth/permissions';

/** Signals drawn first: the tracked power against the available MPP power. */
const DEFAULT_SIGNALS = new Set(['p_pv', 'p_mp']);

/** MPPT metrics shown after a run, in this order, with their labels. */
const METRICS: [string, string][] = [
  ['mppt_efficiency', 'MPPT efficiency (EN 50530)'],
  ['mppt_efficiency_dynamic', 'Dynamic MPPT efficiency'],
  ['mppt_efficiency_static', 'Static MPPT efficiency'],
  ['energy_harvested', 'Energy harvested'],
  ['energy_available', 'Energy available at the MPP'],
];

function formatMetric(value: number, unit: string): string {
  if (unit === '%') return `${value.toFixed(2)} %`;
  if (unit === 'J') return `${(value / 3.6e6).toFixed(3)} kWh`;
  return `${value.toPrecision(4)} ${unit}`;
}

/** Name of the project that keeps the lab's runs unless another one is picked. */
const LAB_PROJECT = 'PV lab';
/** Select value that stands for "create the lab project on the first run". */
const NEW_PROJECT = '__new__';

/**
 * Runs the `pv_mppt` kernel on the EN 50530 ramp profile as an inline design of a project,
 * follows the run live, then shows the stored waveforms and the MPPT efficiencies.
 */
export function MpptRun({ module, series }: { module: string; series: number }) {
  const projects = useProjects();
  const createProject = useCreateProject();
  const runPermission = usePermission('simulation.run');
  const [projectId, setProjectId] = useState('');
  // Lab runs go to a project of their own by default, so that they do not become the
  // latest run of a demo project on the overview.
  const labProject = projects.data?.find((project) => project.name === LAB_PROJECT);
  const target = projectId || labProject?.id || NEW_PROJECT;
  const [runId, setRunId] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [picked, setPicked] = useState<Set<string> | null>(null);
  const fields = useMemo(() => specsOf('mppt', MPPT_INPUTS), []);

  const run = useRun(runId);
  const status = run.data?.status;
  const done = status === 'done';
  const live = useRunStream(runId !== null && !done ? runId : null);
  const stored = useWaveforms(runId, 2000, done);
  const storedData = useMemo(() => (stored.data ? fromView(stored.data) : null), [stored.data]);
  const data = done && storedData ? storedData : (live?.data ?? null);
  const signals = useMemo(() => data?.signals.map(({ name, unit }) => ({ name, unit })) ?? [], [data?.signals]);
  const visible = picked ?? DEFAULT_SIGNALS;
  const metrics = metricsOf(run.data?.summary);

  const submit = async (body: Record<string, unknown>) => {
    setPending(true);
    try {
      const projectForRun =
        target === NEW_PROJECT
          ? (await createProject.mutateAsync({ name: LAB_PROJECT, domain: 'PV', notes: 'Runs of the PV/MPPT lab.' })).id
          : target;
      setProjectId(projectForRun);
      const queued = await request(() =>
        api.POST('/api/v1/simulate/run', {
          body: {
            project_id: projectForRun,
            topology: 'pv_mppt',
            title: `PV lab: MPPT on EN 50530 ramps, ${series} × ${module}`.slice(0, 200),
            parameters: { module, modules_series: series, profile: 'en50530_ramps', ramp_set: body.ramp_set, v_bus: 700, l: 2e-3, r_l: 0.05, c_in: 200e-6 },
            controller: { algorithm: body.algorithm, step: 'fixed', step_size: body.step_size, mppt_rate: body.mppt_rate },
            simulation: { method: 'skip_settled' },
          },
        }),
      );
      setRunId(queued.run_id);
    } finally {
      setPending(false);
    }
  };

  const progress = done ? 1 : (live?.progress ?? run.data?.progress ?? 0);
  return (
    <div className="grid grid-cols-1 gap-4 xl:grid-cols-[400px_minmax(0,1fr)]">
      <Card className="self-start">
        <CardHeader>
          <CardTitle>MPPT test on EN 50530 ramps</CardTitle>
          <CardDescription>
            Runs the <code>pv_mppt</code> kernel for the module and string above: a boost with cascaded loops into a 700 V bus, irradiance ramps at 25 °C.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <CalcForm label="MPPT test" fields={fields} initial={MPPT_DEFAULTS} submitLabel="Run MPPT test" pending={pending || status === 'queued' || status === 'running'} deniedReason={runPermission.reason} onSubmit={submit}>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="mppt-project">Project that keeps the run</Label>
              <NativeSelect id="mppt-project" value={target} onChange={(event) => setProjectId(event.target.value)}>
                {!labProject && <option value={NEW_PROJECT}>New project “{LAB_PROJECT}” (made on the first run)</option>}
                {projects.data?.map((project) => (
                  <option key={project.id} value={project.id}>
                    {project.name}
                  </option>
                ))}
              </NativeSelect>
              <p className="text-xs text-muted-foreground">
                {module}, {series} in series.
              </p>
            </div>
          </CalcForm>
        </CardContent>
      </Card>
      <Card className="min-w-0">
        <CardHeader className="flex-row flex-wrap items-center justify-between gap-3">
          <div>
            <CardTitle>PV power against the available MPP power</CardTitle>
            <CardDescription>p_pv is what the tracker draws, p_mp what the array could give at each instant.</CardDescription>
          </div>
          {runId && (
            <div className="flex items-center gap-2 text-xs">
              <StatusBadge status={status ?? 'queued'} />
              {run.data && (
                <Link className="inline-flex items-center gap-1 text-primary underline-offset-4 hover:underline" to={`/projects/${run.data.project_id}?tab=simulation`}>
                  Open in project <ExternalLink className="size-3" aria-hidden="true" />
                </Link>
              )}
            </div>
          )}
        </CardHeader>
        <CardContent className="space-y-3">
          {runId && !done && <Progress value={progress * 100} aria-label="MPPT run progress" />}
          {run.data?.status === 'failed' && <ErrorBanner error={new Error(run.data.error ?? 'The run failed.')} />}
          {live?.error && <ErrorBanner error={new Error(live.error)} />}
          {metrics.length > 0 && (
            <ResultList
              rows={METRICS.flatMap(([name, label]) => {
                const metric = metrics.find((item) => item.name === name);
                return metric ? [{ label, value: formatMetric(metric.value, metric.unit), key: name === 'mppt_efficiency', testId: `mppt-${name}` }] : [];
              })}
            />
          )}
          <SignalPicker signals={signals} visible={visible} onChange={setPicked} />
          {data && data.signals.length > 0 ? (
            <WaveformChart data={data} version={done ? 0 : (live?.version ?? 0)} visible={visible} height={320} label="MPPT run waveforms" />
          ) : (
            <div className="flex h-[320px] items-center justify-center rounded-md border border-dashed text-sm text-muted-foreground">
              {runId ? 'Waiting for the first samples…' : 'Run the MPPT test to see how the tracker follows the ramps.'}
            </div>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
