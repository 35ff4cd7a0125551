import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, request } from './client';
import { CSRF_HEADER, forgetSession, keepSessionFresh, readCsrfToken, rememberSession, sessionFetch, setUnauthorizedHandler } from './session';

interface Seen {
  method: string;
  path: string;
  csrf: string | null;
  body: string;
}

/** Installs a fetch double: `answer` picks the response per request, every request is recorded. */
function installFetch(answer: (seen: Seen, index: number) => Response) {
  const seen: Seen[] = [];
  vi.stubGlobal('fetch', async (input: Request) => {
    const request = input instanceof Request ? input : new Request(input);
    const entry = {
      method: request.method,
      path: new URL(request.url).pathname,
      csrf: request.headers.get(CSRF_HEADER),
      body: request.method === 'GET' ? '' : await request.text(),
    };
    seen.push(entry);
    return answer(entry, seen.length - 1);
  });
  return seen;
}

const session = { user: { id: 'u', email: 'a@b', role: 'admin' }, org: { id: 'o', name: 'Lab' }, csrf_token: 'csrf-2', access_expires_at: '2030-01-01T00:00:00Z' };
const unauthorized = () => new Response(JSON.stringify({ type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'no session' }), { status: 401, headers: { 'content-type': 'application/problem+json' } });

function setCookie(value: string | null) {
  document.cookie = value === null ? 'pelab_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/' : `pelab_csrf=${value}; path=/`;
}

beforeEach(() => {
  forgetSession();
  setCookie(null);
});

afterEach(() => {
  vi.unstubAllGlobals();
  setUnauthorizedHandler(null);
});

describe('readCsrfToken', () => {
  it('reads the pelab_csrf cookie', () => {
    setCookie('abc%3D1');
    expect(readCsrfToken()).toBe('abc=1');
  });

  it('falls back to the last session token', () => {
    expect(readCsrfToken()).toBeNull();
    rememberSession(session);
    expect(readCsrfToken()).toBe('csrf-2');
  });
});

describe('sessionFetch', () => {
  it('sends the CSRF header on mutating requests only', async () => {
    setCookie('token-1');
    const seen = installFetch(() => new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } }));
    await request(() => api.GET('/api/v1/projects'));
    await request(() => api.POST('/api/v1/projects', { body: { name: 'P', domain: 'EV' } }));
    await request(() => api.DELETE('/api/v1/designs/{id}', { params: { path: { id: 'd1' } } }));
    expect(seen.map((item) => [item.method, item.csrf])).toEqual([
      ['GET', null],
      ['POST', 'token-1'],
      ['DELETE', 'token-1'],
    ]);
  });

  it('refreshes once after a 401 and retries with the body', async () => {
    setCookie('token-1');
    const seen = installFetch((item, index) => {
      if (index === 0) return unauthorized();
      if (item.path === '/api/v1/auth/refresh') return new Response(JSON.stringify(session), { status: 200 });
      return new Response(JSON.stringify({ id: 'p1' }), { status: 201, headers: { 'content-type': 'application/json' } });
    });
    const created = await request(() => api.POST('/api/v1/projects', { body: { name: 'P', domain: 'EV' } }));
    expect(created).toEqual({ id: 'p1' });
    expect(seen.map((item) => `${item.method} ${item.path}`)).toEqual([
      'POST /api/v1/projects',
      'POST /api/v1/auth/refresh',
      'POST /api/v1/projects',
    ]);
    expect(JSON.parse(seen[2]?.body ?? '')).toEqual({ name: 'P', domain: 'EV' });
    expect(seen[2]?.csrf).toBe('token-1');
  });

  it('calls the unauthorized handler when the refresh fails', async () => {
    const handler = vi.fn();
    setUnauthorizedHandler(handler);
    const seen = installFetch(() => unauthorized());
    await expect(request(() => api.GET('/api/v1/projects'))).rejects.toMatchObject({ status: 401 });
    expect(seen.map((item) => item.path)).toEqual(['/api/v1/projects', '/api/v1/auth/refresh']);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('shares one refresh between concurrent 401s', async () => {
    const seen = installFetch((item) => {
      if (item.path === '/api/v1/auth/refresh') return new Response(JSON.stringify(session), { status: 200 });
      const retried = seen.some((other) => other.path === '/api/v1/auth/refresh');
      return retried ? new Response('[]', { status: 200, headers: { 'content-type': 'application/json' } }) : unauthorized();
    });
    await Promise.all([request(() => api.GET('/api/v1/projects')), request(() => api.GET('/api/v1/components'))]);
    expect(seen.filter((item) => item.path === '/api/v1/auth/refresh')).toHaveLength(1);
  });

  it('does not refresh after a 401 of the sign-in endpoints', async () => {
    const handler = vi.fn();
    setUnauthorizedHandler(handler);
    const seen = installFetch(() => unauthorized());
    await expect(request(() => api.POST('/api/v1/auth/magic-link/verify', { body: { token: 'used' } }))).rejects.toMatchObject({ status: 401 });
    expect(seen.map((item) => item.path)).toEqual(['/api/v1/auth/magic-link/verify']);
    expect(handler).not.toHaveBeenCalled();
  });

  it('passes other errors through untouched', async () => {
    const seen = installFetch(() => new Response(JSON.stringify({ type: 'x', title: 'Forbidden', status: 403, detail: 'forbidden' }), { status: 403 }));
    const response = await sessionFetch(new Request('http://localhost/api/v1/components', { method: 'POST', body: '{}' }));
    expect(response.status).toBe(403);
    expect(seen).toHaveLength(1);
  });
});

describe('keepSessionFresh', () => {
  afterEach(() => vi.useRealTimers());

  it('refreshes shortly before the access token expires', async () => {
    vi.useFakeTimers();
    const seen = installFetch(() => new Response(JSON.stringify({ ...session, access_expires_at: new Date(Date.now() + 15 * 60_000).toISOString() }), { status: 200 }));
    rememberSession({ ...session, access_expires_at: new Date(Date.now() + 5 * 60_000).toISOString() });
    const stop = keepSessionFresh();

    await vi.advanceTimersByTimeAsync(2 * 60_000);
    expect(seen).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(90_000);
    expect(seen.map((item) => item.path)).toEqual(['/api/v1/auth/refresh']);
    // The refreshed session expires 15 min later, so the next minutes need no refresh.
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(seen).toHaveLength(1);
    stop();
  });

  it('signs out when the refresh fails', async () => {
    vi.useFakeTimers();
    const handler = vi.fn();
    setUnauthorizedHandler(handler);
    installFetch(() => unauthorized());
    rememberSession({ ...session, access_expires_at: new Date(Date.now() + 60_000).toISOString() });
    const stop = keepSessionFresh();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(handler).toHaveBeenCalled();
    stop();
  });
});
