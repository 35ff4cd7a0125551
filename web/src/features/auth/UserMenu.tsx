import { ArrowRightLeft, Building2, Check, ChevronDown, KeyRound, LogOut, ScrollText, UserRound } from 'lucide-react';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useLogout, useMe, useMyOrgs } from '@/api/auth';
import { ApiError } from '@/api/client';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { can, ROLE_LABEL } from '@/lib/roles';
import { useSwitchOrgAndGoHome } from './switchOrg';

function switchFailureText(error: unknown): string {
  if (error instanceof ApiError && error.status === 404) {
    return 'You are no longer a member of that organisation.';
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * Renders the header's account menu: the signed-in email, role and organisation, the other
 * organisations of the address to switch to, the settings pages and sign-out.
 */
export function UserMenu() {
  const me = useMe();
  const orgs = useMyOrgs();
  const logout = useLogout();
  const { mutation: switchOrg, switchTo } = useSwitchOrgAndGoHome();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  if (!me.data) return null;
  const { user, org } = me.data;

  const signOut = () => {
    // Even when the logout request fails, this page forgets the session and shows the login.
    logout.mutate(undefined, { onSettled: () => void navigate('/login', { replace: true }) });
  };

  // A failed list (an older server without `GET /auth/orgs`) only hides the switcher.
  const memberships = orgs.data ?? [];
  const onOpenChange = (next: boolean) => {
    setOpen(next);
    if (!next) switchOrg.reset();
  };
  const onSwitch = (event: Event, orgId: string) => {
    // The menu stays open until the switch succeeds, so that a failure shows in it.
    event.preventDefault();
    switchTo(orgId, () => setOpen(false));
  };

  return (
    <DropdownMenu open={open} onOpenChange={onOpenChange}>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" size="sm" aria-label={`Account menu of ${user.email}`} data-testid="user-menu">
          <UserRound aria-hidden="true" />
          <span className="hidden max-w-48 truncate md:inline">{user.email}</span>
          <Badge variant={user.role === 'admin' ? 'default' : 'secondary'}>{ROLE_LABEL[user.role]}</Badge>
          <ChevronDown aria-hidden="true" />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end">
        <DropdownMenuLabel>
          <span className="block truncate font-medium">{user.email}</span>
          <span className="mt-0.5 flex items-center gap-2 text-xs text-muted-foreground">
            <Badge variant={user.role === 'admin' ? 'default' : 'secondary'}>{ROLE_LABEL[user.role]}</Badge>
            <span className="truncate" data-testid="user-org">
              {org.name}
            </span>
          </span>
        </DropdownMenuLabel>
        <DropdownMenuSeparator />
        {memberships.length > 1 && (
          <>
            <DropdownMenuLabel className="text-xs font-normal text-muted-foreground">Switch organisation</DropdownMenuLabel>
            {memberships.map((membership) =>
              membership.current ? (
                <DropdownMenuItem key={membership.org.id} disabled aria-current="true" data-testid="org-current">
                  <Check aria-hidden="true" />
                  <span className="max-w-48 truncate">{membership.org.name}</span>
                  <span className="ml-auto text-xs text-muted-foreground">current</span>
                </DropdownMenuItem>
              ) : (
                <DropdownMenuItem
                  key={membership.org.id}
                  disabled={switchOrg.isPending}
                  onSelect={(event) => onSwitch(event, membership.org.id)}
                  aria-label={`Switch to ${membership.org.name}`}
                >
                  <ArrowRightLeft aria-hidden="true" />
                  <span className="max-w-48 truncate">{membership.org.name}</span>
                  <span className="ml-auto text-xs text-muted-foreground">{ROLE_LABEL[membership.role]}</span>
                </DropdownMenuItem>
              ),
            )}
            {switchOrg.isError && (
              <p role="alert" className="max-w-64 px-2 py-1.5 text-xs font-medium text-destructive">
                Switching failed: {switchFailureText(switchOrg.error)}
              </p>
            )}
            <DropdownMenuSeparator />
          </>
        )}
        <DropdownMenuItem onSelect={() => void navigate('/settings/tokens')}>
          <KeyRound aria-hidden="true" /> API tokens
        </DropdownMenuItem>
        <DropdownMenuItem onSelect={() => void navigate('/settings/org')}>
          <Building2 aria-hidden="true" /> Organisation
        </DropdownMenuItem>
        {can(user.role, 'audit.read') && (
          <DropdownMenuItem onSelect={() => void navigate('/admin/audit')}>
            <ScrollText aria-hidden="true" /> Audit log
          </DropdownMenuItem>
        )}
        <DropdownMenuSeparator />
        <DropdownMenuItem onSelect={signOut} disabled={logout.isPending}>
          <LogOut aria-hidden="true" /> Sign out
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
