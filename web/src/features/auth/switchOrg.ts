import { useNavigate } from 'react-router';
import { useSwitchOrg } from '@/api/auth';

/**
 * Returns the switch mutation and `switchTo(orgId)`, which moves the session into that
 * organisation and opens the overview. The overview is the one page that exists in every
 * organisation, because the current page may show a project of the previous one.
 */
export function useSwitchOrgAndGoHome() {
  const mutation = useSwitchOrg();
  const navigate = useNavigate();
  const switchTo = (orgId: string, onSuccess?: () => void) =>
    mutation.mutate(orgId, {
      onSuccess: () => {
        onSuccess?.();
        void navigate('/');
      },
    });
  return { mutation, switchTo };
}
