import { ArrowLeft, ChevronRight } from 'lucide-react';
import { useMemo, useState } from 'react';
import type { Design, KernelDoc } from '@/api/client';
import { useKernels, useKernelSchema } from '@/api/queries';
import { ErrorBanner } from '@/components/ErrorBanner';
import { PageLoading } from '@/components/PageLoading';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { presetFor } from '@/presets';
import { DesignEditor } from './DesignEditor';
import { KERNEL_TITLES } from './kernels';
import type { FieldOrder, JsonSchema } from './schemaForm';

function namesOf(specs: unknown[]): string[] {
  return specs.flatMap((spec) => (spec && typeof spec === 'object' && 'name' in spec ? [String(spec.name)] : []));
}

/** Reads the kernel's own field order per section from its parameter specs. */
function orderOf(doc: KernelDoc | undefined): FieldOrder {
  if (!doc) return {};
  return { parameters: namesOf(doc.parameters), control: namesOf(doc.controller), simulation: namesOf(doc.simulation) };
}

interface WizardProps {
  projectId: string;
  initialKernel?: string | null;
  onCreated: (design: Design) => void;
  onCancel: () => void;
}

/** Two steps: choose a topology (kernel), then edit its preset in the generated form. */
export function NewDesignWizard({ projectId, initialKernel, onCreated, onCancel }: WizardProps) {
  const [kernel, setKernel] = useState<string | null>(initialKernel ?? null);
  const kernels = useKernels();
  const schema = useKernelSchema(kernel);
  const order = useMemo(() => orderOf(kernels.data?.find((doc) => doc.name === kernel)), [kernels.data, kernel]);

  if (kernel === null) {
    if (kernels.isPending) return <PageLoading />;
    if (kernels.isError) return <ErrorBanner error={kernels.error} onRetry={() => void kernels.refetch()} />;
    return (
      <section aria-labelledby="wizard-step-1">
        <div className="mb-4 flex items-center justify-between">
          <h2 id="wizard-step-1" className="text-lg font-semibold">
            New design · 1. Choose a topology
          </h2>
          <Button variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        </div>
        <ul className="grid grid-cols-1 gap-3 md:grid-cols-2 xl:grid-cols-3">
          {kernels.data.map((doc) => {
            const preset = presetFor(doc.name);
            return (
              <li key={doc.name}>
                <button
                  type="button"
                  onClick={() => setKernel(doc.name)}
                  className="flex h-full w-full items-start gap-3 rounded-lg border bg-card p-4 text-left transition-colors hover:border-primary/60 hover:bg-accent/40 focus-visible:outline-2 focus-visible:outline-ring"
                >
                  <div className="flex-1">
                    <div className="flex items-center gap-2">
                      <span className="font-medium">{KERNEL_TITLES[doc.name] ?? doc.name}</span>
                      <Badge variant="secondary">{doc.family}</Badge>
                    </div>
                    <p className="mt-1 text-sm text-muted-foreground first-letter:uppercase">{doc.summary}</p>
                    <p className="mt-2 text-xs text-muted-foreground">
                      <code>{doc.name}</code> · {preset ? `preset from ${preset.source}` : 'no preset'}
                    </p>
                  </div>
                  <ChevronRight className="mt-1 size-4 text-muted-foreground" aria-hidden="true" />
                </button>
              </li>
            );
          })}
        </ul>
      </section>
    );
  }

  return (
    <section aria-labelledby="wizard-step-2">
      <div className="mb-4 flex items-center gap-3">
        <Button variant="ghost" size="sm" onClick={() => setKernel(null)}>
          <ArrowLeft aria-hidden="true" /> Topologies
        </Button>
        <h2 id="wizard-step-2" className="text-lg font-semibold">
          New design · 2. {KERNEL_TITLES[kernel] ?? kernel}
        </h2>
      </div>
      {schema.isPending && <PageLoading />}
      {schema.isError && <ErrorBanner error={schema.error} onRetry={() => void schema.refetch()} />}
      {schema.isSuccess && (
        <DesignEditor
          key={kernel}
          projectId={projectId}
          kernel={kernel}
          schema={schema.data as JsonSchema}
          order={order}
          preset={presetFor(kernel)}
          onCreated={onCreated}
          onCancel={onCancel}
        />
      )}
    </section>
  );
}
