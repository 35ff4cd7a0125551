import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryRouter, Outlet, RouterProvider } from 'react-router';
import OrgSettingsPage from '@/pages/OrgSettingsPage';
import { orgNameError } from '@/lib/orgName';
import { json } from '@/test/render';
import { UserMenu } from './UserMenu';

const LAB = { id: '00000000-0000-0000-0000-00000000000a', name: 'Test lab', created_at: '2026-01-01T00:00:00Z' };
const BENCH = { id: '00000000-0000-0000-0000-00000000000b', name: 'Bench team', created_at: '2026-02-01T00:00:00Z' };

function problem(status: number, detail: string, errors?: { field: string; message: string }[]) {
  return new Response(JSON.stringify({ type: 'about:blank', title: 'Error', status, detail, errors }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });
}

/**
 * Stubs fetch with a fake server whose session is in one of `orgs`. `/auth/me` and `/auth/orgs`
 * follow the current organisation, and `POST /auth/switch` changes it. Routes in `extra` win.
 */
function fakeServer(orgs: (typeof LAB)[], extra: Record<string, (request: Request) => Response | Promise<Response>> = {}) {
  const state = { current: orgs[0] ?? LAB, csrfHeaders: [] as (string | null)[] };
  const routes: Record<string, (request: Request) => Response | Promise<Response>> = {
    'GET /api/v1/auth/me': () =>
      json({ user: { id: 'user-1', email: 'admin@example.com', role: 'admin' }, org: state.current, auth: 'session', scopes: [] }),
    'GET /api/v1/auth/orgs': () => json(orgs.map((org) => ({ org, role: org === LAB ? 'admin' : 'viewer', current: org === state.current }))),
    'POST /api/v1/auth/switch': async (request) => {
      const { org_id } = (await request.json()) as { org_id: string };
      const target = orgs.find((org) => org.id === org_id);
      if (!target) return problem(404, 'no such organisation');
      state.current = target;
      return json({
        user: { id: 'user-1', email: 'admin@example.com', role: 'viewer' },
        org: target,
        csrf_token: `csrf-${target.name}`,
        access_expires_at: '2030-01-01T00:00:00Z',
      });
    },
    'GET /api/v1/org': () => json(state.current),
    'GET /api/v1/members': () => json([]),
    'GET /api/v1/invitations': () => json([]),
    ...extra,
  };
  const requests: { method: string; path: string; body: unknown }[] = [];
  const fetchMock = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const path = new URL(request.url).pathname;
    const text = request.method === 'GET' ? '' : await request.clone().text();
    requests.push({ method: request.method, path, body: text ? JSON.parse(text) : undefined });
    if (request.method !== 'GET') state.csrfHeaders.push(request.headers.get('X-CSRF-Token'));
    const handler = routes[`${request.method} ${path}`];
    return handler ? handler(request) : problem(404, `no route ${path}`);
  };
  vi.stubGlobal('fetch', vi.fn(fetchMock));
  return { state, requests };
}

/** Renders the account menu above the routed page, as the app shell does. */
function renderApp(path: string) {
  const router = createMemoryRouter(
    [
      {
        element: (
          <>
            <UserMenu />
            <Outlet />
          </>
        ),
        children: [
          { path: '/', element: <p>overview</p> },
          { path: '/settings/org', element: <OrgSettingsPage /> },
        ],
      },
    ],
    { initialEntries: [path] },
  );
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return { router, client };
}

async function openMenu() {
  const user = userEvent.setup();
  await user.click(await screen.findByTestId('user-menu'));
  return { user, menu: await screen.findByRole('menu') };
}

afterEach(() => vi.unstubAllGlobals());

describe('UserMenu organisation switcher', () => {
  it('hides the switcher with one organisation', async () => {
    const server = fakeServer([LAB]);
    renderApp('/');
    await waitFor(() => expect(server.requests.some((item) => item.path === '/api/v1/auth/orgs')).toBe(true));
    const { menu } = await openMenu();
    expect(within(menu).getByTestId('user-org')).toHaveTextContent('Test lab');
    expect(within(menu).queryByText('Switch organisation')).toBeNull();
  });

  it('marks the current organisation', async () => {
    fakeServer([LAB, BENCH]);
    renderApp('/');
    const { menu } = await openMenu();
    expect(await within(menu).findByText('Switch organisation')).toBeInTheDocument();
    const current = within(menu).getByTestId('org-current');
    expect(current).toHaveTextContent('Test lab');
    expect(current).toHaveTextContent('current');
    expect(current).toHaveAttribute('aria-disabled', 'true');
    expect(within(menu).getByRole('menuitem', { name: 'Switch to Bench team' })).toBeInTheDocument();
  });

  it('switches, reloads the user and opens the overview', async () => {
    const server = fakeServer([LAB, BENCH]);
    const { router } = renderApp('/settings/org');
    await screen.findByRole('heading', { name: 'Organisation' });
    const { user, menu } = await openMenu();
    await user.click(await within(menu).findByRole('menuitem', { name: 'Switch to Bench team' }));

    await waitFor(() => expect(router.state.location.pathname).toBe('/'));
    expect(server.requests.filter((item) => item.path === '/api/v1/auth/switch').map((item) => item.body)).toEqual([{ org_id: BENCH.id }]);
    // The cache was cleared, so the header shows the user of the new session.
    const reopened = await openMenu();
    await waitFor(() => expect(within(reopened.menu).getByTestId('user-org')).toHaveTextContent('Bench team'));
    expect(within(reopened.menu).getByTestId('org-current')).toHaveTextContent('Bench team');
  });

  it('sends the new CSRF token after a switch', async () => {
    const server = fakeServer([LAB, BENCH]);
    const { router } = renderApp('/');
    const { user, menu } = await openMenu();
    await user.click(await within(menu).findByRole('menuitem', { name: 'Switch to Bench team' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/'));
    await waitFor(() => expect(screen.queryByRole('menu')).toBeNull());

    const back = await openMenu();
    await back.user.click(await within(back.menu).findByRole('menuitem', { name: 'Switch to Test lab' }));
    await waitFor(() => expect(server.state.current).toBe(LAB));
    expect(server.state.csrfHeaders.at(-1)).toBe('csrf-Bench team');
  });

  it('shows a failed switch in the menu', async () => {
    fakeServer([LAB, BENCH], { 'POST /api/v1/auth/switch': () => problem(404, 'no such organisation') });
    const { router } = renderApp('/settings/org');
    const { user, menu } = await openMenu();
    await user.click(await within(menu).findByRole('menuitem', { name: 'Switch to Bench team' }));
    expect(await within(menu).findByRole('alert')).toHaveTextContent('You are no longer a member of that organisation.');
    expect(router.state.location.pathname).toBe('/settings/org');
  });
});

describe('New organisation card', () => {
  it('checks the name before sending', async () => {
    const server = fakeServer([LAB]);
    renderApp('/settings/org');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Create organisation' }));
    expect(await screen.findByText('Enter a name for the organisation.')).toBeInTheDocument();
    expect(screen.getByLabelText('Name of the new organisation')).toHaveAttribute('aria-invalid', 'true');
    expect(server.requests.some((item) => item.path === '/api/v1/orgs')).toBe(false);
  });

  it('shows the 422 message at the field', async () => {
    fakeServer([LAB], {
      'POST /api/v1/orgs': () => problem(422, 'invalid body', [{ field: 'name', message: 'must not contain control characters' }]),
    });
    renderApp('/settings/org');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Name of the new organisation'), 'Lab');
    await user.click(screen.getByRole('button', { name: 'Create organisation' }));
    expect(await screen.findByText('must not contain control characters')).toHaveAttribute('id', 'new-org-name-error');
  });

  it('shows other failures in a banner', async () => {
    fakeServer([LAB], { 'POST /api/v1/orgs': () => problem(403, 'API tokens cannot create organisations.') });
    renderApp('/settings/org');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Name of the new organisation'), 'Lab');
    await user.click(screen.getByRole('button', { name: 'Create organisation' }));
    expect(await screen.findByText(/API tokens cannot create organisations\./)).toBeInTheDocument();
  });

  it('creates and switches to the organisation', async () => {
    const orgs = [LAB];
    const server = fakeServer(orgs, {
      'POST /api/v1/orgs': async (request) => {
        const { name } = (await request.json()) as { name: string };
        orgs.push({ ...BENCH, name });
        return json(orgs[1], 201);
      },
    });
    const { router } = renderApp('/settings/org');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Name of the new organisation'), '  Bench team  ');
    await user.click(screen.getByRole('button', { name: 'Create organisation' }));

    expect(await screen.findByTestId('org-created')).toHaveTextContent('Created Bench team.');
    expect(server.requests.filter((item) => item.path === '/api/v1/orgs').map((item) => item.body)).toEqual([{ name: 'Bench team' }]);
    expect(screen.getByLabelText('Name of the new organisation')).toHaveValue('');

    await user.click(screen.getByRole('button', { name: 'Switch to Bench team' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/'));
    expect(server.state.current.id).toBe(BENCH.id);
  });
});

describe('orgNameError', () => {
  it('accepts 1 to 200 characters', () => {
    expect(orgNameError('a')).toBeNull();
    expect(orgNameError('x'.repeat(200))).toBeNull();
    expect(orgNameError('  Lab  ')).toBeNull();
    expect(orgNameError('\u{1F50B}'.repeat(200))).toBeNull();
  });

  it('rejects empty and long names', () => {
    expect(orgNameError('')).toBe('Enter a name for the organisation.');
    expect(orgNameError('   ')).toBe('Enter a name for the organisation.');
    expect(orgNameError('x'.repeat(201))).toBe('The name has 201 characters, but at most 200 are allowed.');
    expect(orgNameError('\u{1F50B}'.repeat(201))).toBe('The name has 201 characters, but at most 200 are allowed.');
  });
});
