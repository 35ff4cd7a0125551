import { Building2, ChevronDown, KeyRound, LogOut, ScrollText, UserRound } from 'lucide-react';
import { useNavigate } from 'react-router';
import { useLogout, useMe } from '@/api/auth';
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

/** Renders the header's account menu: the signed-in email, role and organisation, the settings pages and sign-out. */
export function UserMenu() {
  const me = useMe();
  const logout = useLogout();
  const navigate = useNavigate();
  if (!me.data) return null;
  const { user, org } = me.data;

  const signOut = () => {
    // Even when the logout request fails, this page forgets the session and shows the login.
    logout.mutate(undefined, { onSettled: () => void navigate('/login', { replace: true }) });
  };

  return (
    <DropdownMenu>
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
