import { Plus } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { ApiError, type Domain } from '@/api/client';
import { useCreateProject, useProjects, useRuns } from '@/api/queries';
import { ErrorBanner } from '@/components/ErrorBanner';
import { PageHeader } from '@/components/PageHeader';
import { PageLoading } from '@/components/PageLoading';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Input, NativeSelect, Textarea } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { DeniedReason } from '@/features/auth/DeniedReason';
import { usePermission } from '@/features/auth/permissions';
import { formatTime } from '@/lib/format';

const DOMAINS: { value: Domain; label: string }[] = [
  { value: 'EV', label: 'EV: traction, on-board charging' },
  { value: 'DC', label: 'DC: DC-DC converters, fast charging' },
  { value: 'PV', label: 'PV: solar and storage' },
  { value: 'GRID', label: 'GRID: grid-tie inverters' },
  { value: 'SST', label: 'SST: solid-state transformers' },
];

function CreateProjectDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const [name, setName] = useState('');
  const [domain, setDomain] = useState<Domain>('EV');
  const [notes, setNotes] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const create = useCreateProject();
  const navigate = useNavigate();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (trimmed.length === 0 || trimmed.length > 200) {
      setNameError('a name of 1 to 200 characters is required');
      document.getElementById('project-name')?.focus();
      return;
    }
    setNameError(null);
    try {
      const project = await create.mutateAsync({ name: trimmed, domain, ...(notes.trim() ? { notes: notes.trim() } : {}) });
      onOpenChange(false);
      navigate(`/projects/${project.id}?tab=design&wizard=`);
    } catch (error) {
      const field = error instanceof ApiError ? error.fieldErrors.find((item) => item.field === 'name') : undefined;
      if (field) setNameError(field.message);
    }
  };

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>New project</DialogTitle>
          <DialogDescription>A project groups the designs and runs of one system.</DialogDescription>
        </DialogHeader>
        <form noValidate onSubmit={submit} className="space-y-4">
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="project-name">Name</Label>
            <Input
              id="project-name"
              value={name}
              maxLength={200}
              aria-invalid={nameError ? true : undefined}
              aria-describedby={nameError ? 'project-name-error' : undefined}
              onChange={(event) => setName(event.target.value)}
            />
            {nameError && (
              <p id="project-name-error" role="alert" className="text-xs font-medium text-destructive">
                {nameError}
              </p>
            )}
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="project-domain">Domain</Label>
            <NativeSelect id="project-domain" value={domain} onChange={(event) => setDomain(event.target.value as Domain)}>
              {DOMAINS.map((item) => (
                <option key={item.value} value={item.value}>
                  {item.label}
                </option>
              ))}
            </NativeSelect>
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="project-notes">Notes (optional)</Label>
            <Textarea id="project-notes" value={notes} maxLength={20000} onChange={(event) => setNotes(event.target.value)} />
          </div>
          {create.isError && !(create.error instanceof ApiError && create.error.fieldErrors.some((item) => item.field === 'name')) && (
            <ErrorBanner error={create.error} />
          )}
          <DialogFooter>
            <Button variant="outline" onClick={() => onOpenChange(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={create.isPending}>
              Create project
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

export function ProjectsPage() {
  const projects = useProjects();
  const runs = useRuns();
  const [open, setOpen] = useState(false);
  const permission = usePermission('project.write');

  const runCount = (id: string) => runs.data?.filter((run) => run.project_id === id).length ?? 0;

  return (
    <div>
      <PageHeader
        title="Projects"
        description="Each project contains the designs, runs and telemetry of one system."
        actions={
          <div className="flex flex-col items-end gap-1">
            <Button onClick={() => setOpen(true)} disabled={!permission.allowed} aria-describedby={permission.reason ? 'new-project-denied' : undefined}>
              <Plus aria-hidden="true" /> New project
            </Button>
            <DeniedReason id="new-project-denied" reason={permission.reason} />
          </div>
        }
      />
      <CreateProjectDialog open={open} onOpenChange={setOpen} />
      {projects.isPending && <PageLoading />}
      {projects.isError && <ErrorBanner error={projects.error} onRetry={() => void projects.refetch()} />}
      {projects.isSuccess && (
        <Card>
          <Table>
            <THead>
              <Tr>
                <Th>Name</Th>
                <Th>Domain</Th>
                <Th>Runs</Th>
                <Th>Updated</Th>
              </Tr>
            </THead>
            <TBody>
              {projects.data.length === 0 && (
                <Tr>
                  <Td colSpan={4} className="py-8 text-center text-muted-foreground">
                    No projects yet. Create one with <strong>New project</strong>.
                  </Td>
                </Tr>
              )}
              {projects.data.map((project) => (
                <Tr key={project.id}>
                  <Td>
                    <Link to={`/projects/${project.id}`} className="font-medium text-primary underline-offset-4 hover:underline">
                      {project.name}
                    </Link>
                    {project.notes && <p className="max-w-xl truncate text-xs text-muted-foreground">{project.notes}</p>}
                  </Td>
                  <Td>
                    <Badge variant="secondary">{project.domain}</Badge>
                  </Td>
                  <Td className="tabular-nums">{runs.isSuccess ? runCount(project.id) : '…'}</Td>
                  <Td className="text-muted-foreground">{formatTime(project.updated_at)}</Td>
                </Tr>
              ))}
            </TBody>
          </Table>
        </Card>
      )}
    </div>
  );
}
