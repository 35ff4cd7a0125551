import { BarChart3, Cpu, LineChart, PenTool } from 'lucide-react';
import { lazy, Suspense } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useProject } from '@/api/queries';
import { ErrorBanner } from '@/components/ErrorBanner';
import { PageHeader } from '@/components/PageHeader';
import { PageLoading } from '@/components/PageLoading';
import { Badge } from '@/components/ui/badge';
import { Tabs, TabsContent, TabsList, TabsTrigger } from '@/components/ui/tabs';
import { DesignTab } from '@/features/design/DesignTab';
import { SimulationTab } from '@/features/sim/SimulationTab';
import { TelemetryTab } from '@/features/telemetry/TelemetryTab';
import { formatTime } from '@/lib/format';
import { useWorkbenchStore } from '@/stores/workbench';

// Recharts is large, so the Analytics tab loads it only when opened.
const AnalyticsTab = lazy(() => import('@/features/analytics/AnalyticsTab'));

const TABS = ['design', 'simulation', 'telemetry', 'analytics'] as const;
type Tab = (typeof TABS)[number];

export default function ProjectPage() {
  const { id = '' } = useParams();
  const [search, setSearch] = useSearchParams();
  const project = useProject(id);
  const selectDesign = useWorkbenchStore((state) => state.selectDesign);

  const tabParam = search.get('tab');
  const tab: Tab = TABS.includes(tabParam as Tab) ? (tabParam as Tab) : 'design';
  const wizardOpen = search.get('wizard') !== null;
  const wizardKernel = search.get('wizard') || null;

  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(search);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) next.delete(key);
      else next.set(key, value);
    }
    setSearch(next, { replace: false });
  };

  if (project.isPending) return <PageLoading />;
  if (project.isError) {
    return (
      <div className="space-y-4">
        <ErrorBanner error={project.error} onRetry={() => void project.refetch()} />
        <Link to="/projects" className="text-sm text-primary underline-offset-4 hover:underline">
          Back to the projects
        </Link>
      </div>
    );
  }

  const data = project.data;
  return (
    <div>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-muted-foreground">
        <Link to="/projects" className="hover:text-foreground hover:underline">
          Projects
        </Link>{' '}
        / <span className="text-foreground">{data.name}</span>
      </nav>
      <PageHeader
        title={
          <span className="flex items-center gap-3">
            {data.name} <Badge variant="secondary">{data.domain}</Badge>
          </span>
        }
        description={`${data.notes ? `${data.notes} · ` : ''}updated ${formatTime(data.updated_at)}`}
      />
      <Tabs value={tab} onValueChange={(value) => update({ tab: value, wizard: null })}>
        <TabsList aria-label="Project views">
          <TabsTrigger value="design">
            <PenTool aria-hidden="true" /> Design
          </TabsTrigger>
          <TabsTrigger value="simulation">
            <LineChart aria-hidden="true" /> Simulation
          </TabsTrigger>
          <TabsTrigger value="telemetry">
            <Cpu aria-hidden="true" /> Telemetry
          </TabsTrigger>
          <TabsTrigger value="analytics">
            <BarChart3 aria-hidden="true" /> Analytics
          </TabsTrigger>
        </TabsList>
        <TabsContent value="design">
          <DesignTab
            projectId={id}
            wizardOpen={wizardOpen}
            wizardKernel={wizardKernel}
            onWizard={(open) => update({ wizard: open ? '' : null })}
            onRun={(designId) => {
              selectDesign(id, designId);
              update({ tab: 'simulation', wizard: null });
            }}
          />
        </TabsContent>
        <TabsContent value="simulation">
          <SimulationTab projectId={id} />
        </TabsContent>
        <TabsContent value="telemetry">
          <TelemetryTab projectId={id} />
        </TabsContent>
        <TabsContent value="analytics">
          <Suspense fallback={<PageLoading />}>
            <AnalyticsTab projectId={id} />
          </Suspense>
        </TabsContent>
      </Tabs>
    </div>
  );
}
