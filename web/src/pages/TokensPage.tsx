import { Check, Copy, KeyRound, Plus, Trash2 } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { useCreateToken, useRevokeToken, useTokens } from '@/api/auth';
import type { ApiToken, CreatedApiToken, TokenScope } from '@/api/client';
import { ErrorBanner } from '@/components/ErrorBanner';
import { PageHeader } from '@/components/PageHeader';
import { PageLoading } from '@/components/PageLoading';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Input, NativeSelect } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { useRole } from '@/features/auth/permissions';
import { formatTime } from '@/lib/format';
import { scopeDeniedReason } from '@/lib/roles';

const SCOPES: { value: TokenScope; label: string; help: string }[] = [
  { value: 'read', label: 'read', help: 'GET requests: projects, designs, runs, waveforms, telemetry.' },
  { value: 'write', label: 'write', help: 'Create and change projects and designs, run simulations and sweeps.' },
  { value: 'telemetry', label: 'telemetry', help: 'Ingest telemetry samples only, for a bench logger.' },
  { value: 'admin', label: 'admin', help: 'Members, invitations, the component library and the audit log.' },
];

const EXPIRY_CHOICES = [
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
  { value: '', label: 'Never' },
];

function tokenState(token: ApiToken): { label: string; active: boolean } {
  if (token.revoked_at) return { label: 'revoked', active: false };
  if (token.expires_at && Date.parse(token.expires_at) < Date.now()) return { label: 'expired', active: false };
  return { label: 'active', active: true };
}

function SecretDialog({ created, onClose }: { created: CreatedApiToken | null; onClose: () => void }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.secret);
      setCopied(true);
    } catch {
      // Clipboard access can be denied; the field stays selectable for a manual copy.
      document.getElementById('token-secret')?.focus();
    }
  };

  return (
    <Dialog
      open={created !== null}
      onOpenChange={(open) => {
        if (!open) {
          setCopied(false);
          onClose();
        }
      }}
    >
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Token “{created?.token.name}” created</DialogTitle>
          <DialogDescription>
            Send it with API requests in the header <code className="font-mono">Authorization: Bearer &lt;secret&gt;</code>.
          </DialogDescription>
        </DialogHeader>
        <Alert variant="warning">
          <KeyRound aria-hidden="true" />
          <div>
            <AlertTitle>Copy the secret now</AlertTitle>
            <AlertDescription>
              pelab stores only a hash of it and shows it this once. Anyone with the secret acts with this token's scopes
              until it expires or is revoked.
            </AlertDescription>
          </div>
        </Alert>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="token-secret">Secret</Label>
          <div className="flex gap-2">
            <Input id="token-secret" readOnly value={created?.secret ?? ''} className="font-mono" onFocus={(event) => event.target.select()} />
            <Button variant="outline" onClick={() => void copy()} aria-label="Copy secret">
              {copied ? <Check aria-hidden="true" /> : <Copy aria-hidden="true" />}
              {copied ? 'Copied' : 'Copy'}
            </Button>
          </div>
        </div>
        <DialogFooter>
          <Button onClick={onClose}>I have copied the secret</Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

function CreateTokenForm({ onCreated }: { onCreated: (created: CreatedApiToken) => void }) {
  const role = useRole();
  const create = useCreateToken();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<TokenScope[]>(['read']);
  const [expiry, setExpiry] = useState('90');
  const [error, setError] = useState<string | null>(null);

  const toggle = (scope: TokenScope, checked: boolean) =>
    setScopes((current) => (checked ? [...current, scope] : current.filter((item) => item !== scope)));
  // A scope ticked before /auth/me loaded (or before a role change) is dropped if the role may not give it.
  const chosen = role ? scopes.filter((scope) => scopeDeniedReason(role, scope) === null) : scopes;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (trimmed.length === 0 || trimmed.length > 100) {
      setError('A name of 1 to 100 characters is required, for example "bench logger".');
      document.getElementById('token-name')?.focus();
      return;
    }
    if (chosen.length === 0) {
      setError('Choose at least one scope.');
      return;
    }
    setError(null);
    try {
      const created = await create.mutateAsync({
        name: trimmed,
        scopes: chosen,
        ...(expiry === '' ? {} : { expires_in_days: Number(expiry) }),
      });
      setName('');
      onCreated(created);
    } catch {
      // The banner below shows the server's error.
    }
  };

  return (
    <form noValidate onSubmit={submit} className="space-y-4">
      <div className="grid gap-4 md:grid-cols-[1fr_12rem]">
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="token-name">Token name</Label>
          <Input
            id="token-name"
            value={name}
            maxLength={100}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'token-error' : undefined}
            onChange={(event) => setName(event.target.value)}
          />
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="token-expiry">Expires after</Label>
          <NativeSelect id="token-expiry" value={expiry} onChange={(event) => setExpiry(event.target.value)}>
            {EXPIRY_CHOICES.map((choice) => (
              <option key={choice.label} value={choice.value}>
                {choice.label}
              </option>
            ))}
          </NativeSelect>
        </div>
      </div>
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium">Scopes</legend>
        {SCOPES.map((scope) => {
          // Without a role (while /auth/me loads) nothing is disabled yet; the server checks on submit.
          const reason = role ? scopeDeniedReason(role, scope.value) : null;
          const disabled = reason !== null;
          return (
            <div key={scope.value} className="flex items-start gap-2">
              <input
                id={`scope-${scope.value}`}
                type="checkbox"
                className="mt-1 size-4"
                checked={scopes.includes(scope.value) && !disabled}
                disabled={disabled}
                aria-describedby={`scope-${scope.value}-help`}
                onChange={(event) => toggle(scope.value, event.target.checked)}
              />
              <div>
                <Label htmlFor={`scope-${scope.value}`} className="font-mono">
                  {scope.label}
                </Label>
                <p id={`scope-${scope.value}-help`} className="text-xs text-muted-foreground">
                  {scope.help}
                  {reason && <span className="block" data-testid="denied-reason">{reason}</span>}
                </p>
              </div>
            </div>
          );
        })}
      </fieldset>
      {error && (
        <p id="token-error" role="alert" className="text-xs font-medium text-destructive">
          {error}
        </p>
      )}
      {create.isError && <ErrorBanner error={create.error} />}
      <Button type="submit" disabled={create.isPending}>
        <Plus aria-hidden="true" /> Create token
      </Button>
    </form>
  );
}

/** `/settings/tokens`: the user's API tokens for scripts and bench loggers. */
export default function TokensPage() {
  const tokens = useTokens();
  const revoke = useRevokeToken();
  const [created, setCreated] = useState<CreatedApiToken | null>(null);

  const onRevoke = (token: ApiToken) => {
    if (window.confirm(`Revoke the token “${token.name}”? Requests that use it fail from now on.`)) revoke.mutate(token.id);
  };

  return (
    <div className="space-y-6">
      <PageHeader title="API tokens" description="Tokens let scripts and bench loggers call the API as you, limited to their scopes." />
      <Card>
        <CardHeader>
          <CardTitle>New token</CardTitle>
          <CardDescription>A token never has more rights than your role.</CardDescription>
        </CardHeader>
        <CardContent>
          <CreateTokenForm onCreated={setCreated} />
        </CardContent>
      </Card>
      <SecretDialog created={created} onClose={() => setCreated(null)} />
      <Card>
        <CardHeader>
          <CardTitle>Your tokens</CardTitle>
        </CardHeader>
        <CardContent className="space-y-4">
          {revoke.isError && <ErrorBanner error={revoke.error} />}
          {tokens.isPending && <PageLoading />}
          {tokens.isError && <ErrorBanner error={tokens.error} onRetry={() => void tokens.refetch()} />}
          {tokens.isSuccess && (
            <Table aria-label="API tokens">
              <THead>
                <Tr>
                  <Th>Name</Th>
                  <Th>Prefix</Th>
                  <Th>Scopes</Th>
                  <Th>Created</Th>
                  <Th>Last used</Th>
                  <Th>Expires</Th>
                  <Th>State</Th>
                  <Th className="text-right">Actions</Th>
                </Tr>
              </THead>
              <TBody>
                {tokens.data.length === 0 && (
                  <Tr>
                    <Td colSpan={8} className="py-6 text-center text-muted-foreground">
                      No tokens yet.
                    </Td>
                  </Tr>
                )}
                {tokens.data.map((token) => {
                  const state = tokenState(token);
                  return (
                    <Tr key={token.id}>
                      <Td className="font-medium">{token.name}</Td>
                      <Td className="font-mono text-xs">{token.prefix}…</Td>
                      <Td>
                        <span className="flex flex-wrap gap-1">
                          {token.scopes.map((scope) => (
                            <Badge key={scope} variant="outline">
                              {scope}
                            </Badge>
                          ))}
                        </span>
                      </Td>
                      <Td className="text-muted-foreground">{formatTime(token.created_at)}</Td>
                      <Td className="text-muted-foreground">{token.last_used_at ? formatTime(token.last_used_at) : 'never'}</Td>
                      <Td className="text-muted-foreground">{token.expires_at ? formatTime(token.expires_at) : 'never'}</Td>
                      <Td>
                        <Badge variant={state.active ? 'success' : 'outline'}>{state.label}</Badge>
                      </Td>
                      <Td className="text-right">
                        {state.active && (
                          <Button
                            variant="ghost"
                            size="sm"
                            aria-label={`Revoke ${token.name}`}
                            disabled={revoke.isPending}
                            onClick={() => onRevoke(token)}
                          >
                            <Trash2 aria-hidden="true" /> Revoke
                          </Button>
                        )}
                      </Td>
                    </Tr>
                  );
                })}
              </TBody>
            </Table>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
