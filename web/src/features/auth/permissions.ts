import { useMe } from '@/api/auth';
import { can, deniedReason, type Action, type Role } from '@/lib/roles';

/** Returns the signed-in user's role, or null while /auth/me is loading. */
export function useRole(): Role | null {
  return useMe().data?.user.role ?? null;
}

/** Returns whether the signed-in user may do `action`, and the sentence that explains a denial. */
export function usePermission(action: Action): { allowed: boolean; reason: string | null } {
  const role = useRole();
  return { allowed: can(role, action), reason: deniedReason(role, action) };
}
