import { Eye, Pencil, Plus, Trash2, Upload } from 'lucide-react';
import { useMemo, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ApiError, type Component } from '@/api/client';
import { useComponents, useDeleteComponent, useParts, useSaveComponent } from '@/api/queries';
import { ErrorBanner } from '@/components/ErrorBanner';
import { PageHeader } from '@/components/PageHeader';
import { PageLoading } from '@/components/PageLoading';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Input, NativeSelect, Textarea } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { ImportDialog } from '@/features/components/ImportDialog';
import { KINDS, validateComponent, type FormErrors, type FormState } from '@/features/components/componentForm';
import { formatTime } from '@/lib/format';
import { DeniedReason } from '@/features/auth/DeniedReason';
import { usePermission } from '@/features/auth/permissions';

type Editing = { mode: 'create' } | { mode: 'edit'; component: Component } | { mode: 'view'; component: Component } | null;


function ComponentDialog({ editing, onClose }: { editing: Editing; onClose: () => void }) {
  const initial: FormState =
    editing && editing.mode !== 'create'
      ? {
          kind: editing.component.kind,
          vendor: editing.component.vendor,
          pn: editing.component.pn,
          params: JSON.stringify(editing.component.params ?? {}, null, 2),
        }
      : { kind: 'mosfet', vendor: '', pn: '', params: '{\n  "v_ds_max": 1200,\n  "r_ds_on": 0.016\n}' };
  const [form, setForm] = useState<FormState>(initial);
  const [errors, setErrors] = useState<FormErrors>({});
  const save = useSaveComponent();
  const readOnly = editing?.mode === 'view';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = validateComponent(form);
    setErrors(found);
    const first = Object.keys(found)[0];
    if (first) {
      document.getElementById(`component-${first}`)?.focus();
      return;
    }
    const component = { kind: form.kind, vendor: form.vendor.trim(), pn: form.pn.trim(), params: JSON.parse(form.params) as unknown };
    try {
      await save.mutateAsync(
        editing?.mode === 'edit' ? { id: editing.component.id, version: editing.component.version, component } : { component },
      );
      onClose();
    } catch (error) {
      if (error instanceof ApiError && error.fieldErrors.length > 0) {
        const mapped: FormErrors = {};
        for (const item of error.fieldErrors) {
          const key = item.field.replace(/^component\./, '').split(/[.[]/)[0] as keyof FormState;
          if (key in form) mapped[key] = item.message;
        }
        setErrors(mapped);
      }
    }
  };

  const field = (key: keyof FormState, label: string, input: React.ReactNode) => (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={`component-${key}`}>{label}</Label>
      {input}
      {errors[key] && (
        <p id={`component-${key}-error`} role="alert" className="text-xs font-medium text-destructive">
          {errors[key]}
        </p>
      )}
    </div>
  );
  const aria = (key: keyof FormState) => ({
    id: `component-${key}`,
    'aria-invalid': errors[key] ? true : undefined,
    'aria-describedby': errors[key] ? `component-${key}-error` : undefined,
    disabled: readOnly,
  });

  return (
    <Dialog open={editing !== null} onOpenChange={(open) => !open && onClose()}>
      <DialogContent className="max-w-2xl">
        <DialogHeader>
          <DialogTitle>{editing?.mode === 'create' ? 'New component' : editing?.mode === 'edit' ? 'Edit component' : 'Component'}</DialogTitle>
          <DialogDescription>
            {editing && editing.mode !== 'create'
              ? `Version ${editing.component.version}, updated ${formatTime(editing.component.updated_at)}.`
              : 'A part of the organisation library, with its parameters and curves as JSON.'}
          </DialogDescription>
        </DialogHeader>
        <form noValidate onSubmit={submit} className="space-y-4">
          <div className="grid grid-cols-1 gap-4 sm:grid-cols-3">
            {field(
              'kind',
              'Kind',
              <NativeSelect {...aria('kind')} value={form.kind} onChange={(event) => setForm({ ...form, kind: event.target.value })}>
                {KINDS.map((kind) => (
                  <option key={kind} value={kind}>
                    {kind}
                  </option>
                ))}
              </NativeSelect>,
            )}
            {field('vendor', 'Manufacturer', <Input {...aria('vendor')} value={form.vendor} onChange={(event) => setForm({ ...form, vendor: event.target.value })} />)}
            {field('pn', 'Part number', <Input {...aria('pn')} value={form.pn} onChange={(event) => setForm({ ...form, pn: event.target.value })} />)}
          </div>
          {field(
            'params',
            'Parameters (JSON object, SI units)',
            <Textarea {...aria('params')} rows={12} className="font-mono text-xs" value={form.params} onChange={(event) => setForm({ ...form, params: event.target.value })} />,
          )}
          {save.isError && !(save.error instanceof ApiError && save.error.fieldErrors.length > 0) && <ErrorBanner error={save.error} />}
          <DialogFooter>
            <Button variant="outline" onClick={onClose}>
              {readOnly ? 'Close' : 'Cancel'}
            </Button>
            {!readOnly && (
              <Button type="submit" disabled={save.isPending}>
                Save component
              </Button>
            )}
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

function PartsTable() {
  const parts = useParts();
  const [filter, setFilter] = useState('');
  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return (parts.data ?? []).filter((part) => !needle || `${part.name} ${part.kind} ${part.manufacturer ?? ''} ${part.housing ?? ''}`.toLowerCase().includes(needle));
  }, [parts.data, filter]);

  return (
    <Card>
      <CardHeader className="flex-row items-end justify-between gap-4">
        <div>
          <CardTitle>Built-in datasheet parts</CardTitle>
          <CardDescription>Parts that a design's [devices] section can name. Read-only; open a part to plot its datasheet curves.</CardDescription>
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="parts-filter">Filter parts</Label>
          <Input id="parts-filter" className="w-64" placeholder="name, kind, manufacturer" value={filter} onChange={(event) => setFilter(event.target.value)} />
        </div>
      </CardHeader>
      <CardContent>
        {parts.isPending && <PageLoading />}
        {parts.isError && <ErrorBanner error={parts.error} onRetry={() => void parts.refetch()} />}
        {parts.isSuccess && (
          <Table>
            <THead>
              <Tr>
                <Th>Name</Th>
                <Th>Technology</Th>
                <Th>Manufacturer</Th>
                <Th>Housing</Th>
                <Th className="text-right">V max</Th>
                <Th className="text-right">I cont.</Th>
                <Th className="text-right">Tj max</Th>
                <Th className="text-right">Import findings</Th>
              </Tr>
            </THead>
            <TBody>
              {shown.map((part) => (
                <Tr key={part.name}>
                  <Td className="font-mono text-xs">
                    <Link to={`/admin/parts/${encodeURIComponent(part.name)}`} className="text-primary underline-offset-4 hover:underline" aria-label={`Curves of ${part.name}`}>
                      {part.name}
                    </Link>
                  </Td>
                  <Td>
                    <Badge variant="secondary">{part.kind}</Badge>
                  </Td>
                  <Td>{part.manufacturer ?? '–'}</Td>
                  <Td>{part.housing ?? '–'}</Td>
                  <Td className="text-right tabular-nums">{part.v_abs_max_v} V</Td>
                  <Td className="text-right tabular-nums">{part.i_cont_a != null ? `${part.i_cont_a} A` : '–'}</Td>
                  <Td className="text-right tabular-nums">{part.t_j_max_c != null ? `${part.t_j_max_c} °C` : '–'}</Td>
                  <Td className="text-right tabular-nums">{part.findings}</Td>
                </Tr>
              ))}
            </TBody>
          </Table>
        )}
      </CardContent>
    </Card>
  );
}

export default function ComponentsPage() {
  const components = useComponents();
  const remove = useDeleteComponent();
  const [editing, setEditing] = useState<Editing>(null);
  const [importing, setImporting] = useState(false);
  const permission = usePermission('component.write');
  const denied = permission.reason ? 'components-denied' : undefined;

  return (
    <div className="space-y-6">
      <PageHeader
        title="Components"
        description="The organisation's component library and the built-in datasheet parts."
        actions={
          <div className="flex flex-col items-end gap-1">
            <div className="flex gap-2">
              <Button variant="outline" onClick={() => setImporting(true)} disabled={!permission.allowed} aria-describedby={denied}>
                <Upload aria-hidden="true" /> Import
              </Button>
              <Button onClick={() => setEditing({ mode: 'create' })} disabled={!permission.allowed} aria-describedby={denied}>
                <Plus aria-hidden="true" /> New component
              </Button>
            </div>
            <DeniedReason id="components-denied" reason={permission.reason} />
          </div>
        }
      />
      {importing && <ImportDialog open onClose={() => setImporting(false)} />}
      {editing && <ComponentDialog key={editing.mode === 'create' ? 'new' : `${editing.mode}-${editing.component.id}`} editing={editing} onClose={() => setEditing(null)} />}
      <Card>
        <CardHeader>
          <CardTitle>Library</CardTitle>
        </CardHeader>
        <CardContent>
          {components.isPending && <PageLoading />}
          {components.isError && <ErrorBanner error={components.error} onRetry={() => void components.refetch()} />}
          {remove.isError && <ErrorBanner error={remove.error} />}
          {components.isSuccess && (
            <Table>
              <THead>
                <Tr>
                  <Th>Part number</Th>
                  <Th>Kind</Th>
                  <Th>Manufacturer</Th>
                  <Th>Parameters</Th>
                  <Th>Updated</Th>
                  <Th className="text-right">Actions</Th>
                </Tr>
              </THead>
              <TBody>
                {components.data.length === 0 && (
                  <Tr>
                    <Td colSpan={6} className="py-8 text-center text-muted-foreground">
                      The library is empty. Add a part with <strong>New component</strong>.
                    </Td>
                  </Tr>
                )}
                {components.data.map((component) => (
                  <Tr key={component.id}>
                    <Td className="font-mono text-xs font-medium">{component.pn}</Td>
                    <Td>
                      <Badge variant="secondary">{component.kind}</Badge>
                    </Td>
                    <Td>{component.vendor}</Td>
                    <Td className="max-w-xs truncate font-mono text-xs text-muted-foreground">
                      {Object.keys((component.params ?? {}) as object).join(', ') || '–'}
                    </Td>
                    <Td className="text-muted-foreground">{formatTime(component.updated_at)}</Td>
                    <Td className="text-right">
                      <div className="flex justify-end gap-1">
                        <Button size="sm" variant="ghost" aria-label={`Inspect ${component.pn}`} onClick={() => setEditing({ mode: 'view', component })}>
                          <Eye aria-hidden="true" />
                        </Button>
                        <Button
                          size="sm"
                          variant="ghost"
                          aria-label={`Edit ${component.pn}`}
                          disabled={!permission.allowed}
                          aria-describedby={denied}
                          onClick={() => setEditing({ mode: 'edit', component })}
                        >
                          <Pencil aria-hidden="true" />
                        </Button>
                        <Button
                          size="sm"
                          variant="ghost"
                          aria-label={`Delete ${component.pn}`}
                          disabled={!permission.allowed}
                          aria-describedby={denied}
                          onClick={() => {
                            if (window.confirm(`Delete ${component.vendor} ${component.pn}?`)) remove.mutate(component.id);
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
          )}
        </CardContent>
      </Card>
      <PartsTable />
    </div>
  );
}
