import { Download, Search } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { useAudit, type AuditFilters } from '@/api/auth';
import { ErrorBanner } from '@/components/ErrorBanner';
import { PageHeader } from '@/components/PageHeader';
import { PageLoading } from '@/components/PageLoading';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { DeniedReason } from '@/features/auth/DeniedReason';
import { usePermission } from '@/features/auth/permissions';
import { auditCsvUrl, isoToLocal, localToIso } from '@/features/auth/auditFilters';
import { formatTime } from '@/lib/format';

const FILTER_NAMES = ['actor', 'action', 'result', 'since', 'until'] as const;

function filtersFrom(params: URLSearchParams): AuditFilters {
  const filters = { actor: '', action: '', result: '', since: '', until: '' };
  for (const name of FILTER_NAMES) filters[name] = params.get(name) ?? '';
  return filters;
}

/** Colours a result by its HTTP status class: 2xx and 3xx succeeded, 4xx and 5xx failed. */
function resultVariant(result: string): 'success' | 'destructive' | 'secondary' {
  const status = Number.parseInt(result, 10);
  if (Number.isNaN(status)) return 'secondary';
  return status < 400 ? 'success' : 'destructive';
}

/** Shows a dash for an empty audit field. */
function orDash(value: string | null | undefined): string {
  return value ? value : '–';
}

function AuditTable({ filters }: { filters: AuditFilters }) {
  const audit = useAudit(filters);
  if (audit.isPending) return <PageLoading />;
  if (audit.isError) return <ErrorBanner error={audit.error} onRetry={() => void audit.refetch()} />;
  return (
    <Card>
      <Table aria-label="Audit log">
        <THead>
          <Tr>
            <Th>Time</Th>
            <Th>Actor</Th>
            <Th>Action</Th>
            <Th>Target</Th>
            <Th>Source</Th>
            <Th>Result</Th>
          </Tr>
        </THead>
        <TBody>
          {audit.data.length === 0 && (
            <Tr>
              <Td colSpan={6} className="py-8 text-center text-muted-foreground">
                No entries match these filters.
              </Td>
            </Tr>
          )}
          {audit.data.map((entry) => (
            <Tr key={entry.id} data-testid="audit-row">
              <Td className="whitespace-nowrap text-muted-foreground">{formatTime(entry.time, { seconds: true })}</Td>
              <Td>{orDash(entry.actor)}</Td>
              <Td className="font-mono text-xs">{entry.action}</Td>
              <Td className="max-w-xs truncate" title={entry.target || undefined}>
                {orDash(entry.target)}
              </Td>
              <Td className="text-muted-foreground">{orDash(entry.source)}</Td>
              <Td>
                <Badge variant={resultVariant(entry.result)}>{entry.result}</Badge>
              </Td>
            </Tr>
          ))}
        </TBody>
      </Table>
    </Card>
  );
}

/** `/admin/audit`: who did what, filtered by actor, action, result and time, with a CSV export. */
export default function AuditPage() {
  const permission = usePermission('audit.read');
  const [params, setParams] = useSearchParams();
  const applied = filtersFrom(params);
  const [draft, setDraft] = useState<AuditFilters>({ ...applied, since: isoToLocal(applied.since), until: isoToLocal(applied.until) });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next = { ...draft, since: localToIso(draft.since), until: localToIso(draft.until) };
    const query = new URLSearchParams();
    for (const name of FILTER_NAMES) if (next[name].trim() !== '') query.set(name, next[name].trim());
    setParams(query, { replace: true });
  };

  const field = (name: (typeof FILTER_NAMES)[number], label: string, type = 'text', placeholder?: string) => (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={`audit-${name}`}>{label}</Label>
      <Input
        id={`audit-${name}`}
        type={type}
        value={draft[name]}
        placeholder={placeholder}
        onChange={(event) => setDraft((current) => ({ ...current, [name]: event.target.value }))}
      />
    </div>
  );

  if (!permission.allowed) {
    return (
      <div>
        <PageHeader title="Audit log" />
        <DeniedReason id="audit-denied" reason={permission.reason} className="text-sm text-muted-foreground" />
      </div>
    );
  }

  return (
    <div className="space-y-4">
      <PageHeader
        title="Audit log"
        description="Every sign-in and every change made through the API, with who made it and the HTTP status, newest first (up to 500 rows)."
        actions={
          <Button variant="outline" asChild>
            <a href={auditCsvUrl(applied)} download>
              <Download aria-hidden="true" /> Export CSV
            </a>
          </Button>
        }
      />
      <Card>
        <CardContent className="pt-6">
          <form onSubmit={submit} className="grid items-end gap-3 md:grid-cols-[repeat(5,1fr)_auto]" aria-label="Audit filters">
            {field('actor', 'Actor', 'text', 'admin@localhost')}
            {field('action', 'Action', 'text', 'POST /api/v1/projects')}
            {field('result', 'Result (HTTP status)', 'text', '403')}
            {field('since', 'Since', 'datetime-local')}
            {field('until', 'Until', 'datetime-local')}
            <Button type="submit">
              <Search aria-hidden="true" /> Apply filters
            </Button>
          </form>
        </CardContent>
      </Card>
      <AuditTable filters={applied} />
    </div>
  );
}
