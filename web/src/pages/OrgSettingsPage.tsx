import { ArrowRightLeft, Plus, Send, Trash2, UserMinus } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import {
  useAuthConfig,
  useChangeRole,
  useCreateOrg,
  useInvitations,
  useInvite,
  useMe,
  useMembers,
  useOrg,
  useRemoveMember,
  useRenameOrg,
  useRevokeInvitation,
} from '@/api/auth';
import { ApiError, type Invitation, type Member, type Org } from '@/api/client';
import { ErrorBanner } from '@/components/ErrorBanner';
import { PageHeader } from '@/components/PageHeader';
import { PageLoading } from '@/components/PageLoading';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input, NativeSelect } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { DeniedReason } from '@/features/auth/DeniedReason';
import { usePermission } from '@/features/auth/permissions';
import { invitationSentMessage } from '@/features/auth/links';
import { useSwitchOrgAndGoHome } from '@/features/auth/switchOrg';
import { formatTime } from '@/lib/format';
import { orgNameError } from '@/lib/orgName';
import { ROLE_LABEL, ROLES, type Role } from '@/lib/roles';

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+$/;

function RoleBadge({ role }: { role: Role }) {
  return <Badge variant={role === 'admin' ? 'default' : 'secondary'}>{ROLE_LABEL[role]}</Badge>;
}

function OrgNameCard({ admin }: { admin: boolean }) {
  const org = useOrg();
  const rename = useRenameOrg();
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const name = draft ?? org.data?.name ?? '';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (trimmed.length === 0 || trimmed.length > 200) {
      setError('A name of 1 to 200 characters is required.');
      return;
    }
    setError(null);
    try {
      await rename.mutateAsync(trimmed);
      setDraft(null);
    } catch {
      // The banner below shows the server's error.
    }
  };

  return (
    <Card>
      <CardHeader>
        <CardTitle>Name</CardTitle>
      </CardHeader>
      <CardContent>
        {org.isPending && <PageLoading />}
        {org.isError && <ErrorBanner error={org.error} onRetry={() => void org.refetch()} />}
        {org.isSuccess &&
          (admin ? (
            <form noValidate onSubmit={submit} className="flex flex-wrap items-end gap-2">
              <div className="flex min-w-64 flex-1 flex-col gap-1.5">
                <Label htmlFor="org-name">Organisation name</Label>
                <Input
                  id="org-name"
                  value={name}
                  maxLength={200}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={error ? 'org-name-error' : undefined}
                  onChange={(event) => setDraft(event.target.value)}
                />
              </div>
              <Button type="submit" disabled={rename.isPending || draft === null}>
                Save name
              </Button>
              {error && (
                <p id="org-name-error" role="alert" className="w-full text-xs font-medium text-destructive">
                  {error}
                </p>
              )}
              {rename.isSuccess && draft === null && <p className="w-full text-xs text-muted-foreground">Name saved.</p>}
            </form>
          ) : (
            <p className="font-medium" data-testid="org-name">
              {org.data.name}
            </p>
          ))}
        {rename.isError && <ErrorBanner error={rename.error} />}
      </CardContent>
    </Card>
  );
}

const LAST_ADMIN_REASON = "The organisation's last admin cannot be demoted or removed. Make another member admin first.";

interface MemberRowProps {
  member: Member;
  admin: boolean;
  self: boolean;
  /** Whether this member is the only admin, whom the server refuses to demote or remove (409). */
  lastAdmin: boolean;
  onDone: (message: string) => void;
}

function MemberRow({ member, admin, self, lastAdmin, onDone }: MemberRowProps) {
  const change = useChangeRole();
  const remove = useRemoveMember();
  const reasonId = `last-admin-${member.id}`;

  // mutateAsync and not mutate's onSuccess, because a removed row unmounts before its callbacks run.
  const onChangeRole = async (role: Role) => {
    remove.reset();
    try {
      await change.mutateAsync({ id: member.id, role });
      onDone(`Role of ${self ? 'your account' : member.email} changed to ${ROLE_LABEL[role]}.`);
    } catch {
      // The banner under the row shows the server's error.
    }
  };

  const onRemove = async () => {
    const question = self
      ? `Remove yourself (${member.email}) from the organisation? You lose access at once.`
      : `Remove ${member.email} from the organisation? They lose access at once.`;
    if (!window.confirm(question)) return;
    change.reset();
    try {
      await remove.mutateAsync(member.id);
      onDone(`${member.email} was removed from the organisation.`);
    } catch {
      // The banner under the row shows the server's error.
    }
  };

  return (
    <>
      <Tr>
        <Td className="font-medium">
          {member.email}
          {self && <span className="ml-2 text-xs text-muted-foreground">(you)</span>}
        </Td>
        <Td>
          {admin ? (
            <div className="flex flex-col gap-1">
              <NativeSelect
                aria-label={`Role of ${member.email}`}
                value={member.role}
                disabled={change.isPending || lastAdmin}
                aria-describedby={lastAdmin ? reasonId : undefined}
                className="w-36"
                onChange={(event) => void onChangeRole(event.target.value as Role)}
              >
                {ROLES.map((role) => (
                  <option key={role} value={role}>
                    {ROLE_LABEL[role]}
                  </option>
                ))}
              </NativeSelect>
              <DeniedReason id={reasonId} reason={lastAdmin ? LAST_ADMIN_REASON : null} className="max-w-56 text-xs text-muted-foreground" />
            </div>
          ) : (
            <RoleBadge role={member.role} />
          )}
        </Td>
        <Td className="text-muted-foreground">{formatTime(member.created_at)}</Td>
        {admin && (
          <Td className="text-right">
            <Button
              variant="ghost"
              size="sm"
              aria-label={`Remove ${member.email}`}
              disabled={remove.isPending || lastAdmin}
              aria-describedby={lastAdmin ? reasonId : undefined}
              onClick={() => void onRemove()}
            >
              <UserMinus aria-hidden="true" /> Remove
            </Button>
          </Td>
        )}
      </Tr>
      {change.isError && (
        <Tr>
          <Td colSpan={admin ? 4 : 3}>
            <ErrorBanner error={change.error} title={`Role change of ${member.email} failed`} />
          </Td>
        </Tr>
      )}
      {remove.isError && (
        <Tr>
          <Td colSpan={admin ? 4 : 3}>
            <ErrorBanner error={remove.error} title={`Removal of ${member.email} failed`} />
          </Td>
        </Tr>
      )}
    </>
  );
}

function MembersCard({ admin, reason, selfId }: { admin: boolean; reason: string | null; selfId: string }) {
  const members = useMembers();
  const [status, setStatus] = useState<string | null>(null);
  const adminCount = members.data?.filter((member) => member.role === 'admin').length ?? 0;

  return (
    <Card>
      <CardHeader>
        <CardTitle>Members</CardTitle>
        <CardDescription>
          Viewers read everything and use the calculators. Engineers also change projects and designs and run simulations.
          Admins also manage members, invitations, the organisation name and the component library.
        </CardDescription>
        <DeniedReason id="members-denied" reason={reason} />
      </CardHeader>
      <CardContent className="space-y-3">
        {/* Rendered while empty too, so screen readers announce the first message. */}
        <p role="status" aria-live="polite" data-testid="members-status" className="text-sm text-success empty:hidden">
          {status}
        </p>
        {members.isPending && <PageLoading />}
        {members.isError && <ErrorBanner error={members.error} onRetry={() => void members.refetch()} />}
        {members.isSuccess && (
          <Table aria-label="Members">
            <THead>
              <Tr>
                <Th>Email</Th>
                <Th>Role</Th>
                <Th>Member since</Th>
                {admin && <Th className="text-right">Actions</Th>}
              </Tr>
            </THead>
            <TBody>
              {members.data.map((member) => (
                <MemberRow
                  key={member.id}
                  member={member}
                  admin={admin}
                  self={member.id === selfId}
                  lastAdmin={member.role === 'admin' && adminCount === 1}
                  onDone={setStatus}
                />
              ))}
            </TBody>
          </Table>
        )}
      </CardContent>
    </Card>
  );
}

function invitationState(invitation: Invitation): { label: string; open: boolean } {
  if (invitation.accepted_at) return { label: 'accepted', open: false };
  if (invitation.revoked_at) return { label: 'revoked', open: false };
  if (Date.parse(invitation.expires_at) < Date.now()) return { label: 'expired', open: false };
  return { label: 'pending', open: true };
}

function InviteForm() {
  const invite = useInvite();
  const config = useAuthConfig();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const address = email.trim();
    if (!EMAIL_PATTERN.test(address)) {
      setError(address === '' ? 'Enter the email address to invite.' : `${address} is not a valid email address.`);
      document.getElementById('invite-email')?.focus();
      return;
    }
    setError(null);
    setSent(null);
    try {
      const invitation = await invite.mutateAsync({ email: address, role });
      setSent(
        invitationSentMessage(address, invitation.expires_at, config.data?.dev_log_links, config.data?.link_ttl_secs),
      );
      setEmail('');
    } catch {
      // The banner below shows the server's error.
    }
  };

  return (
    <form noValidate onSubmit={submit} className="flex flex-wrap items-end gap-2">
      <div className="flex min-w-64 flex-1 flex-col gap-1.5">
        <Label htmlFor="invite-email">Email address to invite</Label>
        <Input
          id="invite-email"
          type="email"
          value={email}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'invite-email-error' : undefined}
          onChange={(event) => setEmail(event.target.value)}
        />
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="invite-role">Role</Label>
        <NativeSelect id="invite-role" value={role} className="w-36" onChange={(event) => setRole(event.target.value as Role)}>
          {ROLES.map((item) => (
            <option key={item} value={item}>
              {ROLE_LABEL[item]}
            </option>
          ))}
        </NativeSelect>
      </div>
      <Button type="submit" disabled={invite.isPending}>
        <Send aria-hidden="true" /> Send invitation
      </Button>
      {error && (
        <p id="invite-email-error" role="alert" className="w-full text-xs font-medium text-destructive">
          {error}
        </p>
      )}
      {sent && (
        <p role="status" className="w-full text-xs text-muted-foreground">
          {sent}
        </p>
      )}
      {invite.isError && (
        <div className="w-full">
          <ErrorBanner error={invite.error} />
        </div>
      )}
    </form>
  );
}

function InvitationsCard() {
  const invitations = useInvitations(true);
  const revoke = useRevokeInvitation();

  const onRevoke = (invitation: Invitation) => {
    if (window.confirm(`Revoke the invitation of ${invitation.email}? Its sign-in link stops working.`)) revoke.mutate(invitation.id);
  };

  return (
    <Card>
      <CardHeader>
        <CardTitle>Invitations</CardTitle>
        <CardDescription>
          An invitation emails a sign-in link, or writes it to the server log when no mail server is configured. The
          person joins with the chosen role when they open it.
        </CardDescription>
      </CardHeader>
      <CardContent className="space-y-4">
        <InviteForm />
        {revoke.isError && <ErrorBanner error={revoke.error} />}
        {invitations.isPending && <PageLoading />}
        {invitations.isError && <ErrorBanner error={invitations.error} onRetry={() => void invitations.refetch()} />}
        {invitations.isSuccess && (
          <Table aria-label="Invitations">
            <THead>
              <Tr>
                <Th>Email</Th>
                <Th>Role</Th>
                <Th>State</Th>
                <Th>Invited by</Th>
                <Th>Expires</Th>
                <Th className="text-right">Actions</Th>
              </Tr>
            </THead>
            <TBody>
              {invitations.data.length === 0 && (
                <Tr>
                  <Td colSpan={6} className="py-6 text-center text-muted-foreground">
                    No invitations yet.
                  </Td>
                </Tr>
              )}
              {invitations.data.map((invitation) => {
                const state = invitationState(invitation);
                return (
                  <Tr key={invitation.id}>
                    <Td className="font-medium">{invitation.email}</Td>
                    <Td>
                      <RoleBadge role={invitation.role} />
                    </Td>
                    <Td>
                      <Badge variant={state.open ? 'warning' : 'outline'}>{state.label}</Badge>
                    </Td>
                    <Td className="text-muted-foreground">{invitation.invited_by ?? '–'}</Td>
                    <Td className="text-muted-foreground">{formatTime(invitation.expires_at)}</Td>
                    <Td className="text-right">
                      {state.open && (
                        <Button
                          variant="ghost"
                          size="sm"
                          aria-label={`Revoke invitation of ${invitation.email}`}
                          disabled={revoke.isPending}
                          onClick={() => onRevoke(invitation)}
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
  );
}

function NewOrgCard() {
  const create = useCreateOrg();
  const { mutation: switchOrg, switchTo } = useSwitchOrgAndGoHome();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<Org | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const invalid = orgNameError(name);
    setError(invalid);
    if (invalid) {
      document.getElementById('new-org-name')?.focus();
      return;
    }
    setCreated(null);
    switchOrg.reset();
    try {
      setCreated(await create.mutateAsync(name.trim()));
      setName('');
    } catch (failure) {
      // A 422 names the invalid field, and its message goes next to the input; other errors show in the banner.
      const fieldError = failure instanceof ApiError ? failure.fieldErrors.find((item) => item.field === 'name') : undefined;
      if (fieldError) setError(fieldError.message);
    }
  };

  const serverFieldError = create.error instanceof ApiError && create.error.fieldErrors.some((item) => item.field === 'name');

  return (
    <Card>
      <CardHeader>
        <CardTitle>New organisation</CardTitle>
        <CardDescription>
          Creates an organisation with you as its admin. You stay in the current one until you switch, and the account
          menu lists every organisation you belong to.
        </CardDescription>
      </CardHeader>
      <CardContent className="space-y-3">
        <form noValidate onSubmit={submit} className="flex flex-wrap items-end gap-2">
          <div className="flex min-w-64 flex-1 flex-col gap-1.5">
            <Label htmlFor="new-org-name">Name of the new organisation</Label>
            <Input
              id="new-org-name"
              value={name}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'new-org-name-error' : undefined}
              onChange={(event) => setName(event.target.value)}
            />
          </div>
          <Button type="submit" disabled={create.isPending}>
            <Plus aria-hidden="true" /> Create organisation
          </Button>
          {error && (
            <p id="new-org-name-error" role="alert" className="w-full text-xs font-medium text-destructive">
              {error}
            </p>
          )}
        </form>
        {create.isError && !serverFieldError && <ErrorBanner error={create.error} />}
        {created && (
          <div role="status" className="flex flex-wrap items-center gap-3 text-sm" data-testid="org-created">
            <span>
              Created <span className="font-medium">{created.name}</span>.
            </span>
            <Button variant="outline" size="sm" disabled={switchOrg.isPending} onClick={() => switchTo(created.id)}>
              <ArrowRightLeft aria-hidden="true" /> Switch to {created.name}
            </Button>
          </div>
        )}
        {switchOrg.isError && <ErrorBanner error={switchOrg.error} />}
      </CardContent>
    </Card>
  );
}

/**
 * `/settings/org`: the organisation's name, members and invitations, which only admins
 * change, and a form that any member can use to create another organisation.
 */
export default function OrgSettingsPage() {
  const me = useMe();
  const manage = usePermission('org.manage');
  if (!me.data) return <PageLoading />;
  return (
    <div className="space-y-6">
      <PageHeader title="Organisation" description={`Members and invitations of ${me.data.org.name}.`} />
      <OrgNameCard admin={manage.allowed} />
      <MembersCard admin={manage.allowed} reason={manage.reason} selfId={me.data.user.id} />
      {manage.allowed && <InvitationsCard />}
      <NewOrgCard />
    </div>
  );
}
