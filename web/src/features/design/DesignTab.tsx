import { Play, Plus, Trash2 } from 'lucide-react';
import { useState } from 'react';
import type { Design } from '@/api/client';
import { useDeleteDesign, useDesigns } from '@/api/queries';
import { ErrorBanner } from '@/components/ErrorBanner';
import { PageLoading } from '@/components/PageLoading';
import { Button } from '@/components/ui/button';
import { Card, CardContent } from '@/components/ui/card';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { DeniedReason } from '@/features/auth/DeniedReason';
import { usePermission } from '@/features/auth/permissions';
import { formatSi, formatTime } from '@/lib/format';
import { KERNEL_TITLES } from './kernels';
import { NewDesignWizard } from './NewDesignWizard';

/** Returns a few headline values of a design document for the list, e.g. "250 V in, 65 kHz". */
function keyValues(design: Design): string {
  const document = (design.document ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const parameters = document.parameters ?? {};
  const picks: [string, string][] = [
    ['v_in', 'V'],
    ['v_dc', 'V'],
    ['v_hv', 'V'],
    ['v_ll_rms', 'V'],
    ['f_sw', 'Hz'],
    ['l', 'H'],
    ['c', 'F'],
  ];
  return picks
    .filter(([key]) => typeof parameters[key] === 'number')
    .slice(0, 3)
    .map(([key, unit]) => `${key} ${formatSi(parameters[key] as number, unit)}`)
    .join(' · ');
}

interface DesignTabProps {
  projectId: string;
  wizardKernel: string | null;
  wizardOpen: boolean;
  onWizard: (open: boolean) => void;
  onRun: (designId: string) => void;
}

export function DesignTab({ projectId, wizardKernel, wizardOpen, onWizard, onRun }: DesignTabProps) {
  const designs = useDesigns(projectId);
  const remove = useDeleteDesign(projectId);
  const [created, setCreated] = useState<string | null>(null);
  const designPermission = usePermission('design.write');
  const runPermission = usePermission('simulation.run');

  if (wizardOpen) {
    return (
      <NewDesignWizard
        projectId={projectId}
        initialKernel={wizardKernel}
        onCancel={() => onWizard(false)}
        onCreated={(design) => {
          setCreated(design.name);
          onWizard(false);
        }}
      />
    );
  }

  return (
    <div className="space-y-4">
      <div className="flex items-center justify-between">
        <h2 className="text-lg font-semibold">Designs</h2>
        <div className="flex flex-col items-end gap-1">
          <Button
            onClick={() => onWizard(true)}
            disabled={!designPermission.allowed}
            aria-describedby={designPermission.reason ? 'new-design-denied' : undefined}
          >
            <Plus aria-hidden="true" /> New design
          </Button>
          <DeniedReason id="new-design-denied" reason={designPermission.reason} />
          <DeniedReason id="simulate-denied" reason={runPermission.reason} />
        </div>
      </div>
      {created && (
        <p role="status" className="text-sm text-success">
          Design “{created}” saved.
        </p>
      )}
      {designs.isPending && <PageLoading />}
      {designs.isError && <ErrorBanner error={designs.error} onRetry={() => void designs.refetch()} />}
      {remove.isError && <ErrorBanner error={remove.error} />}
      {designs.isSuccess && designs.data.length === 0 && (
        <Card>
          <CardContent className="py-10 text-center text-sm text-muted-foreground">
            This project has no designs yet. Start one with <strong>New design</strong>.
          </CardContent>
        </Card>
      )}
      {designs.isSuccess && designs.data.length > 0 && (
        <Card>
          <Table>
            <THead>
              <Tr>
                <Th>Name</Th>
                <Th>Topology</Th>
                <Th>Key values</Th>
                <Th>Updated</Th>
                <Th className="text-right">Actions</Th>
              </Tr>
            </THead>
            <TBody>
              {designs.data.map((design) => (
                <Tr key={design.id}>
                  <Td className="font-medium">{design.name}</Td>
                  <Td>
                    {KERNEL_TITLES[design.topology] ?? design.topology} <code className="text-xs text-muted-foreground">{design.topology}</code>
                  </Td>
                  <Td className="font-mono text-xs">{keyValues(design)}</Td>
                  <Td className="text-muted-foreground">{formatTime(design.updated_at)}</Td>
                  <Td className="text-right">
                    <div className="flex justify-end gap-1">
                      <Button
                        size="sm"
                        variant="outline"
                        disabled={!runPermission.allowed}
                        aria-describedby={runPermission.reason ? 'simulate-denied' : undefined}
                        onClick={() => onRun(design.id)}
                      >
                        <Play aria-hidden="true" /> Simulate
                      </Button>
                      <Button
                        size="sm"
                        variant="ghost"
                        aria-label={`Delete design ${design.name}`}
                        disabled={!designPermission.allowed}
                        aria-describedby={designPermission.reason ? 'new-design-denied' : undefined}
                        onClick={() => {
                          if (window.confirm(`Delete the design “${design.name}”? Its runs stay.`)) {
                            remove.mutate(design.id);
                          }
                        }}
                      >
                        <Trash2 aria-hidden="true" />
                      </Button>
                    </div>
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
        </Card>
      )}
    </div>
  );
}
