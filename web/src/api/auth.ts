import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, request, type Role, type TokenScope } from './client';
import { forgetSession, rememberSession } from './session';

export const authKeys = {
  config: ['auth', 'config'] as const,
  me: ['auth', 'me'] as const,
  orgs: ['auth', 'orgs'] as const,
  tokens: ['tokens'] as const,
  org: ['org'] as const,
  members: ['members'] as const,
  invitations: ['invitations'] as const,
  audit: (filters: AuditFilters) => ['audit', filters] as const,
};

/** Filters of the audit log; empty strings are left out of the query. */
export interface AuditFilters {
  actor: string;
  action: string;
  result: string;
  since: string;
  until: string;
}

/** Builds the query of an audit request: the filters that are set, and the row limit. */
export function auditQuery(filters: AuditFilters, limit = 500) {
  const query: Record<string, string | number> = { limit };
  for (const [name, value] of Object.entries(filters)) {
    if (value.trim() !== '') query[name] = value.trim();
  }
  return query;
}

export function useAuthConfig() {
  return useQuery({
    queryKey: authKeys.config,
    queryFn: () => request(() => api.GET('/api/v1/auth/config')),
    staleTime: Infinity,
  });
}

/** Loads the signed-in user, their organisation and role (`GET /auth/me`). */
export function useMe() {
  return useQuery({
    queryKey: authKeys.me,
    queryFn: () => request(() => api.GET('/api/v1/auth/me')),
    staleTime: 60_000,
    retry: false,
  });
}

/** Loads the organisations the signed-in address belongs to, with the role in each (`GET /auth/orgs`). */
export function useMyOrgs() {
  return useQuery({
    queryKey: authKeys.orgs,
    queryFn: () => request(() => api.GET('/api/v1/auth/orgs')),
    staleTime: 60_000,
  });
}

/**
 * Moves the browser session into another of the user's organisations (`POST /auth/switch`).
 * The server ends the old session and sets new cookies. On success every cached query is
 * dropped, because all of them belong to the previous organisation.
 */
export function useSwitchOrg() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (orgId: string) => request(() => api.POST('/api/v1/auth/switch', { body: { org_id: orgId } })),
    onSuccess: (session) => {
      rememberSession(session);
      client.clear();
    },
  });
}

/** Creates an organisation with the user as its admin (`POST /orgs`). The session stays in the current one. */
export function useCreateOrg() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => request(() => api.POST('/api/v1/orgs', { body: { name } })),
    onSuccess: () => client.invalidateQueries({ queryKey: authKeys.orgs }),
  });
}

export function useRequestMagicLink() {
  return useMutation({
    mutationFn: (email: string) => request(() => api.POST('/api/v1/auth/magic-link', { body: { email } })),
  });
}

export function useVerifyMagicLink() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (token: string) => request(() => api.POST('/api/v1/auth/magic-link/verify', { body: { token } })),
    onSuccess: (session) => {
      rememberSession(session);
      // The next page reads /auth/me again, for the new user.
      client.removeQueries({ queryKey: authKeys.me });
    },
  });
}

export function useLogout() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => request(() => api.POST('/api/v1/auth/logout')),
    onSettled: () => {
      forgetSession();
      client.clear();
    },
  });
}

export function useTokens() {
  return useQuery({ queryKey: authKeys.tokens, queryFn: () => request(() => api.GET('/api/v1/tokens')) });
}

export function useCreateToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; scopes: TokenScope[]; expires_in_days?: number }) =>
      request(() => api.POST('/api/v1/tokens', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: authKeys.tokens }),
  });
}

export function useRevokeToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => request(() => api.DELETE('/api/v1/tokens/{id}', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: authKeys.tokens }),
  });
}

export function useOrg() {
  return useQuery({ queryKey: authKeys.org, queryFn: () => request(() => api.GET('/api/v1/org')) });
}

export function useRenameOrg() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => request(() => api.PUT('/api/v1/org', { body: { name } })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: authKeys.org });
      void client.invalidateQueries({ queryKey: authKeys.me });
      void client.invalidateQueries({ queryKey: authKeys.orgs });
    },
  });
}

export function useMembers() {
  return useQuery({ queryKey: authKeys.members, queryFn: () => request(() => api.GET('/api/v1/members')) });
}

export function useChangeRole() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, role }: { id: string; role: Role }) =>
      request(() => api.PUT('/api/v1/members/{id}', { params: { path: { id } }, body: { role } })),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: authKeys.members });
      void client.invalidateQueries({ queryKey: authKeys.me });
    },
  });
}

export function useRemoveMember() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => request(() => api.DELETE('/api/v1/members/{id}', { params: { path: { id } } })),
    onSettled: () => client.invalidateQueries({ queryKey: authKeys.members }),
  });
}

export function useInvitations(enabled: boolean) {
  return useQuery({
    queryKey: authKeys.invitations,
    enabled,
    queryFn: () => request(() => api.GET('/api/v1/invitations')),
  });
}

export function useInvite() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; role: Role }) => request(() => api.POST('/api/v1/invitations', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: authKeys.invitations }),
  });
}

export function useRevokeInvitation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => request(() => api.DELETE('/api/v1/invitations/{id}', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: authKeys.invitations }),
  });
}

export function useAudit(filters: AuditFilters) {
  return useQuery({
    queryKey: authKeys.audit(filters),
    queryFn: () => request(() => api.GET('/api/v1/audit', { params: { query: auditQuery(filters) } })),
  });
}
