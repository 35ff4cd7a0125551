import { ArrowRight, Calculator, Cpu, Gauge, SunMedium } from 'lucide-react';
import { Link } from 'react-router';
import type { Project, RunBrief } from '@/api/client';
import { useProjects, useRun, useRuns } from '@/api/queries';
import { ErrorBanner } from '@/components/ErrorBanner';
import { PageHeader } from '@/components/PageHeader';
import { StatusBadge } from '@/components/StatusBadge';
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { AREAS, projectFor, type AreaCard } from '@/features/overview/areas';
import { formatSi, formatTime } from '@/lib/format';
import { keyFigures } from '@/lib/summary';

function latestRun(area: AreaCard, project: Project | undefined, runs: RunBrief[]): RunBrief | undefined {
  if (!project) return undefined;
  return runs
    .filter((run) => run.project_id === project.id && (!area.kernels || area.kernels.includes(run.kernel)))
    .sort((a, b) => b.created_at.localeCompare(a.created_at))[0];
}

function Figures({ runId }: { runId: string }) {
  const run = useRun(runId);
  if (run.isPending) {
    return <Skeleton className="h-12 w-full" />;
  }
  const figures = keyFigures(run.data?.summary);
  if (figures.length === 0) {
    return <p className="text-xs text-muted-foreground">{run.data?.status === 'done' ? 'No summary figures.' : 'Figures appear when the run is done.'}</p>;
  }
  return (
    <dl className="grid grid-cols-2 gap-x-3 gap-y-2">
      {figures.map((figure) => (
        <div key={figure.label}>
          <dt className="text-xs text-muted-foreground">{figure.label}</dt>
          <dd className="font-mono text-sm font-medium tabular-nums">
            {figure.unit === '%' ? `${figure.value.toFixed(2)} %` : formatSi(figure.value, figure.unit)}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function AreaTile({ area, project }: { area: AreaCard; project: Project | undefined }) {
  const Icon = area.icon;
  // The project's own run list, so the card stays right however many runs other projects have.
  const runs = useRuns(project?.id ?? null);
  const run = latestRun(area, project, runs.data ?? []);
  const target = project ? `/projects/${project.id}?tab=${run ? 'analytics' : 'design'}` : '/projects';
  return (
    <Card className="flex flex-col transition-colors hover:border-primary/50" data-testid={`area-${area.key}`}>
      <CardHeader>
        <div className="flex items-center gap-2">
          <span className="flex size-8 items-center justify-center rounded-md bg-primary/10 text-primary">
            <Icon className="size-4" aria-hidden="true" />
          </span>
          <CardTitle>{area.title}</CardTitle>
        </div>
        <CardDescription>{area.blurb}</CardDescription>
      </CardHeader>
      <CardContent className="flex-1 space-y-3">
        {project ? (
          <>
            <div className="flex items-center justify-between gap-2 text-sm">
              <span className="truncate font-medium" title={project.name}>
                {project.name}
              </span>
              <StatusBadge status={run?.status ?? null} />
            </div>
            {run ? (
              <>
                <p className="truncate text-xs text-muted-foreground" title={run.title || run.kernel}>
                  Last run: {run.title || run.kernel} · {formatTime(run.finished_at ?? run.created_at)}
                </p>
                <Figures runId={run.id} />
              </>
            ) : (
              <p className="text-xs text-muted-foreground">No runs yet.</p>
            )}
          </>
        ) : (
          <p className="text-sm text-muted-foreground">No project for this area yet.</p>
        )}
      </CardContent>
      <CardFooter>
        <Link
          to={target}
          className="inline-flex items-center gap-1 text-sm font-medium text-primary underline-offset-4 hover:underline"
          aria-label={project ? `Open ${area.title}: ${project.name}` : `Create a ${area.title} project`}
        >
          {project ? 'Open project' : 'Create a project'} <ArrowRight className="size-3.5" aria-hidden="true" />
        </Link>
      </CardFooter>
    </Card>
  );
}

const LABS = [
  {
    to: '/studio/calculators',
    title: 'Design calculators',
    blurb: 'Inductor ripple with interleaving, LLC gain curves and LCL filter sizing, in milliseconds.',
    icon: Calculator,
  },
  {
    to: '/labs/motor',
    title: 'Motor Control Lab',
    blurb: 'FOC gains from the machine constants, current and speed steps, torque-speed envelope.',
    icon: Gauge,
  },
  {
    to: '/labs/pv',
    title: 'PV/MPPT Lab',
    blurb: 'I-V and P-V curves of CEC modules and MPPT tracking on EN 50530 ramps.',
    icon: SunMedium,
  },
  {
    to: '/admin/components',
    title: 'Component curves',
    blurb: 'Datasheet curves of the built-in parts per junction temperature, with import findings.',
    icon: Cpu,
  },
];

function LabCards() {
  return (
    <section aria-labelledby="labs-heading" className="mt-8">
      <h2 id="labs-heading" className="mb-3 text-lg font-semibold tracking-tight">
        Labs and calculators
      </h2>
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 xl:grid-cols-4">
        {LABS.map(({ to, title, blurb, icon: Icon }) => (
          <Link
            key={to}
            to={to}
            className="group rounded-lg border bg-card p-4 shadow-sm transition-colors hover:border-primary/50 focus-visible:outline-2 focus-visible:outline-ring"
          >
            <div className="flex items-center gap-2">
              <span className="flex size-8 items-center justify-center rounded-md bg-primary/10 text-primary">
                <Icon className="size-4" aria-hidden="true" />
              </span>
              <span className="font-semibold">{title}</span>
              <ArrowRight className="ml-auto size-4 text-muted-foreground transition-transform group-hover:translate-x-0.5" aria-hidden="true" />
            </div>
            <p className="mt-2 text-sm text-muted-foreground">{blurb}</p>
          </Link>
        ))}
      </div>
    </section>
  );
}

export function OverviewPage() {
  const projects = useProjects();
  const runs = useRuns();

  const error = projects.error ?? runs.error;
  return (
    <div>
      <PageHeader
        title="Overview"
        description="Demo systems and their latest simulation results. Open a card to inspect designs, waveforms and losses."
      />
      {error && <ErrorBanner error={error} onRetry={() => void Promise.all([projects.refetch(), runs.refetch()])} />}
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-5">
        {AREAS.map((area) => {
          if (projects.isPending || runs.isPending) {
            return <Skeleton key={area.key} className="h-64" />;
          }
          const project = projectFor(area, projects.data ?? [], runs.data ?? []);
          return <AreaTile key={area.key} area={area} project={project} />;
        })}
      </div>
      <LabCards />
    </div>
  );
}
