// The server's role policy, mirrored so the UI can hide or disable what a role may not do.
// The server enforces it (403 `forbidden`); this copy only explains it in advance.

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
