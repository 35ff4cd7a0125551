import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json, mockFetch, renderWithClient } from '@/test/render';
import OrgSettingsPage from './OrgSettingsPage';

const ORG = { id: 'org-1', name: 'Test lab', created_at: '2026-01-01T00:00:00Z' };
const CONFIG = { magic_link: true, google: false, dev_log_links: true, admin_hint: null };

function member(id: string, email: string, role: 'admin' | 'engineer' | 'viewer') {
  return { id, email, role, org_id: ORG.id, created_at: '2026-01-01T00:00:00Z' };
}

const ME = member('user-admin', 'admin@example.com', 'admin');
const ENGINEER = member('user-engineer', 'engineer@example.com', 'engineer');

function problem(status: number, title: string, detail: string) {
  return new Response(JSON.stringify({ type: 'about:blank', title, status, detail }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });
}

/** Renders the page for the admin ME with a fake server whose member list `members` the routes change. */
function renderPage(members: ReturnType<typeof member>[], extra: Parameters<typeof mockFetch>[0] = {}) {
  const mock = mockFetch({
    'GET /api/v1/auth/me': () => json({ user: { id: ME.id, email: ME.email, role: 'admin' }, org: ORG, auth: 'session', scopes: [] }),
    'GET /api/v1/auth/config': () => json(CONFIG),
    'GET /api/v1/auth/orgs': () => json([{ org: ORG, role: 'admin', current: true }]),
    'GET /api/v1/org': () => json(ORG),
    'GET /api/v1/members': () => json(members),
    'GET /api/v1/invitations': () => json([]),
    ...extra,
  });
  vi.stubGlobal('fetch', vi.fn(mock.fetchMock));
  renderWithClient(<OrgSettingsPage />);
  return mock.requests;
}

afterEach(() => vi.unstubAllGlobals());

describe('OrgSettingsPage last admin', () => {
  it('disables role and Remove with the reason', async () => {
    renderPage([ME, ENGINEER]);
    const select = await screen.findByRole('combobox', { name: 'Role of admin@example.com' });
    expect(select).toBeDisabled();
    expect(select).toHaveAccessibleDescription(/last admin cannot be demoted or removed\. Make another member admin first\./);
    const remove = screen.getByRole('button', { name: 'Remove admin@example.com' });
    expect(remove).toBeDisabled();
    expect(remove).toHaveAccessibleDescription(/Make another member admin first/);
  });

  it('keeps other members editable', async () => {
    renderPage([ME, ENGINEER]);
    expect(await screen.findByRole('combobox', { name: 'Role of engineer@example.com' })).toBeEnabled();
    expect(screen.getByRole('button', { name: 'Remove engineer@example.com' })).toBeEnabled();
  });

  it('enables both with a second admin', async () => {
    renderPage([ME, member('user-2', 'second@example.com', 'admin')]);
    expect(await screen.findByRole('combobox', { name: 'Role of admin@example.com' })).toBeEnabled();
    expect(screen.getByRole('button', { name: 'Remove admin@example.com' })).toBeEnabled();
    expect(screen.queryByTestId('denied-reason')).toBeNull();
  });
});

describe('OrgSettingsPage member changes', () => {
  it('reports a role change', async () => {
    const members = [ME, ENGINEER];
    const requests = renderPage(members, {
      'PUT /api/v1/members/user-engineer': async (request) => {
        const { role } = (await request.json()) as { role: 'viewer' };
        members[1] = { ...ENGINEER, role };
        return json(members[1]);
      },
    });
    const user = userEvent.setup();
    await user.selectOptions(await screen.findByRole('combobox', { name: 'Role of engineer@example.com' }), 'viewer');
    expect(await screen.findByTestId('members-status')).toHaveTextContent('Role of engineer@example.com changed to Viewer.');
    expect(requests.find((item) => item.method === 'PUT')?.body).toEqual({ role: 'viewer' });
  });

  it('reports a removal after the row is gone', async () => {
    const members = [ME, ENGINEER];
    vi.stubGlobal('confirm', vi.fn(() => true));
    renderPage(members, {
      'DELETE /api/v1/members/user-engineer': () => {
        members.pop();
        return new Response(null, { status: 204 });
      },
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Remove engineer@example.com' }));
    await vi.waitFor(() => expect(screen.getByTestId('members-status')).toHaveTextContent('engineer@example.com was removed from the organisation.'));
    await vi.waitFor(() => expect(screen.queryByRole('button', { name: 'Remove engineer@example.com' })).toBeNull());
    expect(window.confirm).toHaveBeenCalledWith('Remove engineer@example.com from the organisation? They lose access at once.');
  });

  it('words the confirmation for yourself', async () => {
    vi.stubGlobal('confirm', vi.fn(() => false));
    const requests = renderPage([ME, member('user-2', 'second@example.com', 'admin')]);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Remove admin@example.com' }));
    expect(window.confirm).toHaveBeenCalledWith('Remove yourself (admin@example.com) from the organisation? You lose access at once.');
    expect(requests.some((item) => item.method === 'DELETE')).toBe(false);
  });

  it('names the failed action', async () => {
    vi.stubGlobal('confirm', vi.fn(() => true));
    renderPage([ME, ENGINEER], {
      'DELETE /api/v1/members/user-engineer': () => problem(409, 'Conflict', 'The member has running jobs.'),
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Remove engineer@example.com' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Removal of engineer@example.com failed');
    expect(alert).toHaveTextContent('The member has running jobs.');
    expect(alert).not.toHaveTextContent('Conflict');
    expect(screen.getByTestId('members-status')).toBeEmptyDOMElement();
  });
});

describe('OrgSettingsPage invitation', () => {
  it('points to the server log without mail', async () => {
    const requests = renderPage([ME], {
      'POST /api/v1/invitations': () =>
        json(
          {
            id: 'inv-1',
            org_id: ORG.id,
            email: 'new@example.com',
            role: 'viewer',
            invited_by: ME.email,
            created_at: '2026-01-01T00:00:00Z',
            expires_at: '2026-01-08T00:00:00Z',
          },
          201,
        ),
    });
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Email address to invite'), 'new@example.com');
    await user.click(screen.getByRole('button', { name: 'Send invitation' }));
    const form = screen.getByRole('button', { name: 'Send invitation' }).closest('form') as HTMLFormElement;
    const status = await within(form).findByRole('status');
    expect(status).toHaveTextContent('wrote its sign-in link to the server log instead of emailing it');
    expect(status).toHaveTextContent('expires after 15 minutes');
    expect(status).toHaveTextContent('new@example.com can also request a new link at /login');
    expect(status).not.toHaveTextContent('emailed');
    expect(requests.find((item) => item.method === 'POST')?.body).toEqual({ email: 'new@example.com', role: 'viewer' });
  });
});
