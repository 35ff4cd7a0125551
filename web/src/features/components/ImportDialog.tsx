import { useQueryClient } from '@tanstack/react-query';
import { useState, type ChangeEvent } from 'react';
import { api, ApiError, request } from '@/api/client';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { describeImportError, parseComponentImport, type ImportItem, type ImportOutcome } from './componentImport';

const OUTCOME_LABELS: Record<ImportOutcome['status'], string> = {
  created: 'Imported',
  duplicate: 'Duplicate',
  invalid: 'Rejected',
  failed: 'Failed',
};

/** Imports components from a JSON file: pick, preview and check, then POST each valid item. */
export function ImportDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const client = useQueryClient();
  const [fileName, setFileName] = useState('');
  const [fileError, setFileError] = useState<string | null>(null);
  const [items, setItems] = useState<ImportItem[]>([]);
  const [outcomes, setOutcomes] = useState<Record<number, ImportOutcome>>({});
  const [busy, setBusy] = useState(false);
  const valid = items.filter((item) => item.component !== null);
  const finished = Object.keys(outcomes).length > 0 && !busy;

  const pick = async (event: ChangeEvent<HTMLInputElement>) => {
    const input = event.target;
    const file = input.files?.[0];
    setOutcomes({});
    setItems([]);
    setFileError(null);
    if (!file) return;
    setFileName(file.name);
    const parsed = parseComponentImport(await file.text());
    // Cleared so that picking the same file again (after editing it) reads it again.
    input.value = '';
    if (parsed.ok) setItems(parsed.items);
    else setFileError(parsed.error);
  };

  const run = async () => {
    setBusy(true);
    setOutcomes({});
    for (const item of valid) {
      const component = item.component;
      if (!component) continue;
      let outcome: ImportOutcome;
      try {
        await request(() => api.POST('/api/v1/components', { body: component }));
        outcome = { status: 'created', message: 'added to the library' };
      } catch (error) {
        outcome =
          error instanceof ApiError
            ? describeImportError(error.status, error.problem?.detail ?? error.message, error.fieldErrors)
            : describeImportError(-1, String(error), []);
      }
      setOutcomes((current) => ({ ...current, [item.index]: outcome }));
    }
    setBusy(false);
    await client.invalidateQueries({ queryKey: ['components'] });
  };

  const counts = Object.values(outcomes).reduce<Record<string, number>>((sum, outcome) => ({ ...sum, [outcome.status]: (sum[outcome.status] ?? 0) + 1 }), {});

  return (
    <Dialog open={open} onOpenChange={(next) => !next && !busy && onClose()}>
      <DialogContent className="max-w-3xl">
        <DialogHeader>
          <DialogTitle>Import components</DialogTitle>
          <DialogDescription>
            A JSON file with one component <code>{'{kind, vendor, pn, params}'}</code> or a list of them. Check the preview, then import the valid items.
          </DialogDescription>
        </DialogHeader>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="import-file">JSON file</Label>
          <Input id="import-file" type="file" accept=".json,application/json" onChange={(event) => void pick(event)} disabled={busy} />
        </div>
        {fileName && !fileError && items.length > 0 && (
          <p className="text-sm text-muted-foreground">
            {fileName}: {items.length === 1 ? '1 item' : `${items.length} items`}, {valid.length} valid.
          </p>
        )}
        {fileError && (
          <p role="alert" className="text-sm font-medium text-destructive">
            {fileName}: {fileError}
          </p>
        )}
        {items.length > 0 && (
          <div className="max-h-80 overflow-y-auto">
            <Table data-testid="import-preview">
              <THead>
                <Tr>
                  <Th>Component</Th>
                  <Th>Kind</Th>
                  <Th>Check</Th>
                  <Th>Result</Th>
                </Tr>
              </THead>
              <TBody>
                {items.map((item) => {
                  const outcome = outcomes[item.index];
                  return (
                    <Tr key={item.index}>
                      <Td className="font-mono text-xs">{item.label}</Td>
                      <Td>{item.kind || '–'}</Td>
                      <Td className="text-xs">{item.errors.length === 0 ? <Badge variant="secondary">valid</Badge> : <span className="text-destructive">{item.errors.join('; ')}</span>}</Td>
                      <Td className="text-xs">
                        {outcome ? (
                          <span className={outcome.status === 'created' ? '' : 'text-destructive'}>
                            <strong>{OUTCOME_LABELS[outcome.status]}</strong>: {outcome.message}
                          </span>
                        ) : item.component && busy ? (
                          'waiting…'
                        ) : (
                          '–'
                        )}
                      </Td>
                    </Tr>
                  );
                })}
              </TBody>
            </Table>
          </div>
        )}
        {finished && (
          <p role="status" className="text-sm">
            {Object.entries(counts)
              .map(([status, count]) => `${count} ${OUTCOME_LABELS[status as ImportOutcome['status']].toLowerCase()}`)
              .join(', ')}
            .
          </p>
        )}
        <DialogFooter>
          <Button variant="outline" onClick={onClose} disabled={busy}>
            Close
          </Button>
          <Button onClick={() => void run()} disabled={busy || valid.length === 0 || finished}>
            {valid.length === 1 ? 'Import 1 component' : `Import ${valid.length} components`}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
