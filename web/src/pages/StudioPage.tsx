import { Calculator, PenTool } from 'lucide-react';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useKernels, useProjects } from '@/api/queries';
import { ErrorBanner } from '@/components/ErrorBanner';
import { PageHeader } from '@/components/PageHeader';
import { PageLoading } from '@/components/PageLoading';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { NativeSelect } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { KERNEL_TITLES } from '@/features/design/kernels';
import { presetFor } from '@/presets';
import { DeniedReason } from '@/features/auth/DeniedReason';
import { usePermission } from '@/features/auth/permissions';

/** Parameter specs of `GET /kernels`, as far as this page reads them. */
interface ParameterSpec {
  name?: string;
  unit?: string;
  optional?: boolean;
  default?: unknown;
}

/** A value the design must set: not optional and without a default. */
function isRequired(spec: ParameterSpec): boolean {
  return spec.optional === false && (spec.default === null || spec.default === undefined);
}

/** Design Studio: every topology the simulator has, and a shortcut into a project's design wizard. */
export default function StudioPage() {
  const kernels = useKernels();
  const projects = useProjects();
  const [projectId, setProjectId] = useState('');
  const navigate = useNavigate();
  const target = projectId || projects.data?.[0]?.id || '';
  const permission = usePermission('design.write');

  return (
    <div>
      <PageHeader
        title="Design Studio"
        description="Choose a topology to start a design from its preset; it is saved in the project you pick."
        actions={
          <div className="flex items-end gap-2">
            <Button variant="outline" asChild>
              <Link to="/studio/calculators">
                <Calculator aria-hidden="true" /> Calculators
              </Link>
            </Button>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="studio-project">Target project</Label>
              <NativeSelect id="studio-project" className="w-72" value={target} onChange={(event) => setProjectId(event.target.value)}>
                {projects.data?.length === 0 && <option value="">No projects: create one first</option>}
                {projects.data?.map((project) => (
                  <option key={project.id} value={project.id}>
                    {project.name}
                  </option>
                ))}
              </NativeSelect>
            </div>
          </div>
        }
      />
      <DeniedReason id="studio-denied" reason={permission.reason} className="mb-4 text-sm text-muted-foreground" />
      {(kernels.isPending || projects.isPending) && <PageLoading />}
      {kernels.isError && <ErrorBanner error={kernels.error} onRetry={() => void kernels.refetch()} />}
      {projects.isError && <ErrorBanner error={projects.error} onRetry={() => void projects.refetch()} />}
      <div className="grid grid-cols-1 gap-4 md:grid-cols-2 xl:grid-cols-3">
        {kernels.data?.map((kernel) => {
          const specs = (kernel.parameters as ParameterSpec[]).filter(isRequired);
          const preset = presetFor(kernel.name);
          return (
            <Card key={kernel.name} className="flex flex-col">
              <CardHeader>
                <div className="flex items-center justify-between gap-2">
                  <CardTitle>{KERNEL_TITLES[kernel.name] ?? kernel.name}</CardTitle>
                  <Badge variant="secondary">{kernel.family}</Badge>
                </div>
                <CardDescription className="first-letter:uppercase">{kernel.summary}</CardDescription>
              </CardHeader>
              <CardContent className="flex flex-1 flex-col justify-between gap-3">
                <p className="text-xs text-muted-foreground">
                  Required: {specs.length ? specs.map((spec) => `${spec.name}${spec.unit && spec.unit !== '1' ? ` [${spec.unit}]` : ''}`).join(', ') : 'none'}
                  <br />
                  Preset: {preset ? <code>{preset.source}</code> : 'none'}
                </p>
                <Button
                  variant="outline"
                  disabled={!target || !permission.allowed}
                  aria-describedby={permission.reason ? 'studio-denied' : undefined}
                  onClick={() => navigate(`/projects/${target}?tab=design&wizard=${encodeURIComponent(kernel.name)}`)}
                  aria-label={`New ${KERNEL_TITLES[kernel.name] ?? kernel.name} design`}
                >
                  <PenTool aria-hidden="true" /> New design
                </Button>
              </CardContent>
            </Card>
          );
        })}
      </div>
    </div>
  );
}
