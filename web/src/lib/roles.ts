// The server's role policy, mirrored so the UI can hide or disable what a role may not do.
// The server enforces it (403 `forbidden`); this copy only explains it in advance.

import type { TokenScope } from '@/api/client';

export type Role = 'admin' | 'engineer' | 'viewer';

/** Actions the UI gates by role. */
export type Action =
  | 'project.write'
  | 'design.write'
  | 'simulation.run'
  | 'simulation.cancel'
  | 'sweep.run'
  | 'telemetry.ingest'
  | 'component.write'
  | 'org.manage'
  | 'audit.read';

const RANK: Record<Role, number> = { viewer: 0, engineer: 1, admin: 2 };

export const ROLE_LABEL: Record<Role, string> = { admin: 'Admin', engineer: 'Engineer', viewer: 'Viewer' };

export const ROLES: Role[] = ['viewer', 'engineer', 'admin'];

/** The lowest role allowed to do each action, and the words that name the action in reasons. */
const POLICY: Record<Action, { role: Role; verb: string }> = {
  'project.write': { role: 'engineer', verb: 'create or change projects' },
  'design.write': { role: 'engineer', verb: 'create or delete designs' },
  'simulation.run': { role: 'engineer', verb: 'run simulations' },
  'simulation.cancel': { role: 'engineer', verb: 'cancel runs' },
  'sweep.run': { role: 'engineer', verb: 'run sweeps' },
  'telemetry.ingest': { role: 'engineer', verb: 'ingest telemetry' },
  'component.write': { role: 'admin', verb: 'change the component library' },
  'org.manage': { role: 'admin', verb: 'manage members, invitations or the organisation name' },
  'audit.read': { role: 'admin', verb: 'read the audit log' },
};

/** Returns whether `role` may do `action`. Without a role (not signed in) nothing is allowed. */
export function can(role: Role | null | undefined, action: Action): boolean {
  if (!role) return false;
  return RANK[role] >= RANK[POLICY[action].role];
}

/**
 * Returns the sentence that explains why `role` may not do `action`, or null when it may, for example
 * "Viewers cannot run simulations; ask an admin for the Engineer role."
 */
export function deniedReason(role: Role | null | undefined, action: Action): string | null {
  if (can(role, action)) return null;
  const { role: needed, verb } = POLICY[action];
  if (!role) return `Sign in to ${verb}.`;
  return `${ROLE_LABEL[role]}s cannot ${verb}; ask an admin for the ${ROLE_LABEL[needed]} role.`;
}

/** The lowest role that may create an API token with each scope. */
const SCOPE_ROLE: Record<TokenScope, Role> = { read: 'viewer', write: 'engineer', telemetry: 'engineer', admin: 'admin' };

/**
 * Returns the sentence that explains why `role` may not give a token `scope`, or null when it may.
 * The server rejects such a token with 422, because a token never has more rights than its owner.
 */
export function scopeDeniedReason(role: Role | null | undefined, scope: TokenScope): string | null {
  const needed = SCOPE_ROLE[scope];
  if (role && RANK[role] >= RANK[needed]) return null;
  if (!role) return 'Sign in to create tokens.';
  return `The ${scope} scope needs the ${ROLE_LABEL[needed]} role; ${ROLE_LABEL[role]}s cannot give it to a token.`;
}
