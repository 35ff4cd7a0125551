import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter } from 'react-router';

/** Renders a component with a fresh query client (no retries) and a router. */
export function renderWithClient(ui: ReactElement) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter>{ui}</MemoryRouter>
    </QueryClientProvider>,
  );
}

/** The `GET /auth/me` answer of a signed-in user with `role`, for tests of role-gated UI. */
export function meOf(role: 'admin' | 'engineer' | 'viewer') {
  return {
    user: { id: `user-${role}`, email: `${role}@example.com`, role },
    org: { id: 'org-1', name: 'Test lab' },
    auth: 'session',
    scopes: [],
  };
}

/**
 * Builds a fetch double that responds by method and path and records every request.
 * Unless `routes` has its own, `GET /api/v1/auth/me` returns an admin, who may do everything.
 */
export function mockFetch(routes: Record<string, (request: Request) => Response | Promise<Response>>) {
  routes = { 'GET /api/v1/auth/me': () => json(meOf('admin')), ...routes };
  const requests: { method: string; path: string; body: unknown }[] = [];
  const fetchMock = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const text = request.method === 'GET' ? '' : await request.clone().text();
    requests.push({ method: request.method, path: url.pathname, body: text ? JSON.parse(text) : undefined });
    const handler = routes[`${request.method} ${url.pathname}`];
    if (!handler) {
      return new Response(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404, detail: `no route ${url.pathname}` }), {
        status: 404,
        headers: { 'content-type': 'application/problem+json' },
      });
    }
    return handler(request);
  };
  return { fetchMock, requests };
}

export function json(body: unknown, status = 200, contentType = 'application/json'): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': contentType } });
}
