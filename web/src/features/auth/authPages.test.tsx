import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryRouter, RouterProvider } from 'react-router';
import LoginPage from '@/pages/LoginPage';
import { ProjectsPage } from '@/pages/ProjectsPage';
import VerifyPage from '@/pages/VerifyPage';
import { json, meOf, mockFetch } from '@/test/render';
import { RequireSession } from './RequireSession';

const CONFIG = { magic_link: true, google: false, dev_log_links: true, admin_hint: 'The first admin is admin@localhost.' };

function problem(status: number, detail: string, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify({ type: 'about:blank', title: 'Error', status, detail }), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}

/** Renders the app's session guard around /projects, plus the login pages, at `path`. */
function renderApp(path: string, routes: Parameters<typeof mockFetch>[0]) {
  const mock = mockFetch(routes);
  vi.stubGlobal('fetch', vi.fn(mock.fetchMock));
  const router = createMemoryRouter(
    [
      { path: '/login', element: <LoginPage /> },
      { path: '/login/verify', element: <VerifyPage /> },
      { element: <RequireSession />, children: [{ path: '/projects', element: <ProjectsPage /> }, { path: '/', element: <p>overview</p> }] },
    ],
    { initialEntries: [path] },
  );
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return { router, requests: mock.requests };
}

afterEach(() => vi.unstubAllGlobals());

describe('RequireSession', () => {
  it('sends a signed-out user to the login with next', async () => {
    const { router } = renderApp('/projects?tab=x', {
      'GET /api/v1/auth/me': () => problem(401, 'no session'),
      'POST /api/v1/auth/refresh': () => problem(401, 'no refresh token'),
      'GET /api/v1/auth/config': () => json(CONFIG),
    });
    await screen.findByRole('heading', { name: 'Sign in to pelab' });
    expect(router.state.location.pathname).toBe('/login');
    expect(router.state.location.search).toBe('?next=%2Fprojects%3Ftab%3Dx');
    expect(await screen.findByTestId('admin-hint')).toHaveTextContent('The first admin is admin@localhost.');
  });

  it('shows viewers the disabled control with its reason', async () => {
    renderApp('/projects', {
      'GET /api/v1/auth/me': () => json(meOf('viewer')),
      'GET /api/v1/projects': () => json([]),
      'GET /api/v1/runs': () => json([]),
    });
    const button = await screen.findByRole('button', { name: 'New project' });
    expect(button).toBeDisabled();
    expect(button).toHaveAccessibleDescription('Viewers cannot create or change projects; ask an admin for the Engineer role.');
  });

  it('enables the control for engineers', async () => {
    renderApp('/projects', {
      'GET /api/v1/auth/me': () => json(meOf('engineer')),
      'GET /api/v1/projects': () => json([]),
      'GET /api/v1/runs': () => json([]),
    });
    expect(await screen.findByRole('button', { name: 'New project' })).toBeEnabled();
    expect(screen.queryByTestId('denied-reason')).toBeNull();
  });
});

describe('LoginPage', () => {
  it('checks the address before sending', async () => {
    const user = userEvent.setup();
    const { requests } = renderApp('/login', { 'GET /api/v1/auth/config': () => json(CONFIG) });
    await user.click(await screen.findByRole('button', { name: 'Email me a sign-in link' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Enter your email address.');
    await user.type(screen.getByLabelText('Email address'), 'not-an-address');
    await user.click(screen.getByRole('button', { name: 'Email me a sign-in link' }));
    expect(screen.getByRole('alert')).toHaveTextContent('not-an-address is not a valid email address');
    expect(requests.filter((item) => item.method === 'POST')).toHaveLength(0);
  });

  it('shows the inbox state after sending', async () => {
    const user = userEvent.setup();
    const { requests } = renderApp('/login?next=%2Fprojects', {
      'GET /api/v1/auth/config': () => json({ ...CONFIG, google: true, dev_log_links: false, admin_hint: null }),
      'POST /api/v1/auth/magic-link': () => json({ message: 'If the address has an account, a link is on its way.' }, 202),
    });
    expect(await screen.findByRole('link', { name: 'Sign in with Google' })).toHaveAttribute(
      'href',
      '/api/v1/auth/oidc/google/start?return_to=%2Fprojects',
    );
    await user.type(screen.getByLabelText('Email address'), 'admin@localhost');
    await user.click(screen.getByRole('button', { name: 'Email me a sign-in link' }));
    expect(await screen.findByText('Check your inbox')).toBeInTheDocument();
    expect(requests.find((item) => item.method === 'POST')?.body).toEqual({ email: 'admin@localhost' });
    expect(sessionStorage.getItem('pelab.login.next')).toBe('/projects');
  });

  it('points to the server log without mail', async () => {
    const user = userEvent.setup();
    renderApp('/login', {
      'GET /api/v1/auth/config': () => json(CONFIG),
      'POST /api/v1/auth/magic-link': () => json({ message: 'If the address has an account, a link is on its way.' }, 202),
    });
    await user.type(await screen.findByLabelText('Email address'), 'admin@localhost');
    await user.click(screen.getByRole('button', { name: 'Email me a sign-in link' }));
    const status = await screen.findByRole('status');
    expect(status).toHaveTextContent('Sign-in link written to the server log');
    expect(status).toHaveTextContent('If admin@localhost has an account');
    expect(status).toHaveTextContent('expires after 15 minutes');
    expect(screen.queryByText('Check your inbox')).toBeNull();
  });

  it('shows the rate-limit message with Retry-After', async () => {
    const user = userEvent.setup();
    renderApp('/login', {
      'GET /api/v1/auth/config': () => json(CONFIG),
      'POST /api/v1/auth/magic-link': () => problem(429, 'Too many sign-in links for this address.', { 'Retry-After': '60' }),
    });
    await user.type(await screen.findByLabelText('Email address'), 'admin@localhost');
    await user.click(screen.getByRole('button', { name: 'Email me a sign-in link' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Too many sign-in links for this address.');
    expect(alert).toHaveTextContent(/next request possible at \d{1,2}:\d{2}/);
  });
});

describe('VerifyPage', () => {
  it('signs in and opens the saved page', async () => {
    sessionStorage.setItem('pelab.login.next', '/projects');
    const session = { ...meOf('engineer'), csrf_token: 'c', access_expires_at: '2030-01-01T00:00:00Z' };
    const { router, requests } = renderApp('/login/verify?token=good-token', {
      'POST /api/v1/auth/magic-link/verify': () => json(session),
      'GET /api/v1/auth/me': () => json(meOf('engineer')),
      'GET /api/v1/projects': () => json([]),
      'GET /api/v1/runs': () => json([]),
    });
    await waitFor(() => expect(router.state.location.pathname).toBe('/projects'));
    expect(requests.filter((item) => item.path === '/api/v1/auth/magic-link/verify').map((item) => item.body)).toEqual([{ token: 'good-token' }]);
  });

  it('shows the detail of a used link', async () => {
    renderApp('/login/verify?token=used-token', {
      'POST /api/v1/auth/magic-link/verify': () => problem(401, 'This sign-in link was already used.'),
    });
    expect(await screen.findByTestId('verify-error')).toHaveTextContent('This sign-in link was already used.');
    expect(screen.getByRole('link', { name: 'Request a new link' })).toHaveAttribute('href', '/login');
  });
});
