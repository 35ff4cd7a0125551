import { describe, expect, it } from 'vitest';
import { can, deniedReason, scopeDeniedReason, type Action, type Role } from './roles';

const ENGINEER_ACTIONS: Action[] = ['project.write', 'design.write', 'simulation.run', 'simulation.cancel', 'sweep.run', 'telemetry.ingest'];
const ADMIN_ACTIONS: Action[] = ['component.write', 'org.manage', 'audit.read'];

describe('can', () => {
  it.each<[Role, Action[], Action[]]>([
    ['viewer', [], [...ENGINEER_ACTIONS, ...ADMIN_ACTIONS]],
    ['engineer', ENGINEER_ACTIONS, ADMIN_ACTIONS],
    ['admin', [...ENGINEER_ACTIONS, ...ADMIN_ACTIONS], []],
  ])('%s', (role, allowed, denied) => {
    for (const action of allowed) expect(can(role, action), `${role} may ${action}`).toBe(true);
    for (const action of denied) expect(can(role, action), `${role} may not ${action}`).toBe(false);
  });

  it('denies everything without a role', () => {
    expect(can(null, 'simulation.run')).toBe(false);
    expect(can(undefined, 'audit.read')).toBe(false);
  });
});

describe('deniedReason', () => {
  it('names the role and the role needed', () => {
    expect(deniedReason('viewer', 'simulation.run')).toBe('Viewers cannot run simulations; ask an admin for the Engineer role.');
    expect(deniedReason('engineer', 'component.write')).toBe('Engineers cannot change the component library; ask an admin for the Admin role.');
  });

  it('is null when allowed', () => {
    expect(deniedReason('engineer', 'sweep.run')).toBeNull();
    expect(deniedReason('admin', 'audit.read')).toBeNull();
  });

  it('asks to sign in without a role', () => {
    expect(deniedReason(null, 'design.write')).toBe('Sign in to create or delete designs.');
  });
});

describe('scopeDeniedReason', () => {
  it('lets viewers give only read', () => {
    expect(scopeDeniedReason('viewer', 'read')).toBeNull();
    expect(scopeDeniedReason('viewer', 'write')).toBe('The write scope needs the Engineer role; Viewers cannot give it to a token.');
    expect(scopeDeniedReason('viewer', 'telemetry')).toBe('The telemetry scope needs the Engineer role; Viewers cannot give it to a token.');
    expect(scopeDeniedReason('viewer', 'admin')).toBe('The admin scope needs the Admin role; Viewers cannot give it to a token.');
  });

  it('lets engineers give all but admin', () => {
    expect(scopeDeniedReason('engineer', 'write')).toBeNull();
    expect(scopeDeniedReason('engineer', 'telemetry')).toBeNull();
    expect(scopeDeniedReason('engineer', 'admin')).toBe('The admin scope needs the Admin role; Engineers cannot give it to a token.');
  });

  it('lets admins give every scope', () => {
    for (const scope of ['read', 'write', 'telemetry', 'admin'] as const) expect(scopeDeniedReason('admin', scope)).toBeNull();
  });

  it('asks to sign in without a role', () => {
    expect(scopeDeniedReason(null, 'read')).toBe('Sign in to create tokens.');
  });
});
