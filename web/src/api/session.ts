// Cookie session plumbing of the API client: the CSRF header on mutating requests, one
// refresh and retry after a 401, and a hook for sending the user to the login page.

/** The cookie the server sets for JavaScript to copy into the CSRF header. */
export const CSRF_COOKIE = 'pelab_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const REFRESH_PATH = '/api/v1/auth/refresh';

/** Auth endpoints whose 401 means "not signed in" or "link invalid", so a refresh would not help. */
const NO_REFRESH = new Set([
  '/api/v1/auth/config',
  '/api/v1/auth/magic-link',
  '/api/v1/auth/magic-link/verify',
  REFRESH_PATH,
  '/api/v1/auth/logout',
]);

/** The CSRF token of the last session response, used when the cookie cannot be read. */
let lastCsrfToken: string | null = null;
/** When the access token of the current session expires (ms since the epoch), when known. */
let accessExpiresAt: number | null = null;
let pendingRefresh: Promise<boolean> | null = null;
let unauthorizedHandler: (() => void) | null = null;

/** Returns the value of the `pelab_csrf` cookie, or the token of the last session response. */
export function readCsrfToken(): string | null {
  if (typeof document !== 'undefined') {
    for (const part of document.cookie.split(';')) {
      const [name, ...value] = part.trim().split('=');
      if (name === CSRF_COOKIE) return decodeURIComponent(value.join('='));
    }
  }
  return lastCsrfToken;
}

/** Stores the CSRF token and the access expiry of a `Session` response. */
export function rememberSession(session: { csrf_token: string; access_expires_at: string }) {
  lastCsrfToken = session.csrf_token;
  const expires = Date.parse(session.access_expires_at);
  accessExpiresAt = Number.isNaN(expires) ? null : expires;
}

/** Forgets the session after a sign-out. */
export function forgetSession() {
  lastCsrfToken = null;
  accessExpiresAt = null;
}

/** Sets the function called when a request fails with 401 and the refresh fails too. */
export function setUnauthorizedHandler(handler: (() => void) | null) {
  unauthorizedHandler = handler;
}

/** Adds the CSRF header to a mutating request that does not carry one yet, in place. */
export function withCsrf(request: Request): Request {
  if (!MUTATING.has(request.method) || request.headers.has(CSRF_HEADER)) return request;
  const token = readCsrfToken();
  if (token !== null) request.headers.set(CSRF_HEADER, token);
  return request;
}

async function postRefresh(): Promise<boolean> {
  try {
    const response = await globalThis.fetch(
      withCsrf(new Request(new URL(REFRESH_PATH, baseUrl()), { method: 'POST', credentials: 'same-origin' })),
    );
    if (!response.ok) return false;
    rememberSession((await response.json()) as { csrf_token: string; access_expires_at: string });
    return true;
  } catch {
    return false;
  }
}

/**
 * Sends `POST /auth/refresh`, which rotates the session cookies. Concurrent callers share one
 * request, because the server rotates the refresh token and would reject the second use.
 */
export function refreshSession(): Promise<boolean> {
  pendingRefresh ??= postRefresh().finally(() => {
    pendingRefresh = null;
  });
  return pendingRefresh;
}

function baseUrl(): string {
  return typeof window === 'undefined' ? 'http://localhost' : window.location.origin;
}

/**
 * Reads the body of `request` into memory and returns a function that builds a fresh copy of
 * it. `request.clone()` would turn the body into a stream, which browsers do not show in their
 * network tools and which end-to-end tests cannot read.
 */
async function replayable(request: Request): Promise<() => Request> {
  const body = request.body === null ? null : await request.arrayBuffer();
  return () =>
    new Request(request.url, {
      method: request.method,
      headers: new Headers(request.headers),
      body,
      credentials: request.credentials,
      cache: request.cache,
      redirect: request.redirect,
      referrerPolicy: request.referrerPolicy,
      keepalive: request.keepalive,
      signal: request.signal,
    });
}

/**
 * Sends a request of the API client: adds the CSRF header on mutating requests, and after a 401
 * refreshes the session once and retries the request. When the refresh fails it calls the
 * unauthorized handler and returns the 401.
 */
export async function sessionFetch(request: Request): Promise<Response> {
  const path = new URL(request.url, baseUrl()).pathname;
  if (NO_REFRESH.has(path)) return globalThis.fetch(withCsrf(request));

  // A body can be read once, so it is buffered for a possible retry.
  const copy = await replayable(request);
  const response = await globalThis.fetch(withCsrf(copy()));
  if (response.status !== 401) return response;

  if (!(await refreshSession())) {
    unauthorizedHandler?.();
    return response;
  }
  const second = await globalThis.fetch(withCsrf(copy()));
  if (second.status === 401) unauthorizedHandler?.();
  return second;
}

/** Milliseconds of access left before the keep-alive refreshes the session. */
const REFRESH_MARGIN_MS = 2 * 60_000;
/** Lifetime assumed for an access token whose expiry the page has not seen; the server issues 15 min tokens. */
const ASSUMED_ACCESS_MS = 10 * 60_000;

/**
 * Refreshes the session shortly before the access token expires, so that plain links (CSV
 * and PDF downloads) and WebSocket connections, which cannot retry after a 401, keep working.
 * Returns the function that stops it.
 */
export function keepSessionFresh(): () => void {
  accessExpiresAt ??= Date.now() + ASSUMED_ACCESS_MS;
  const timer = setInterval(() => {
    if (accessExpiresAt !== null && accessExpiresAt - Date.now() < REFRESH_MARGIN_MS) {
      void refreshSession().then((ok) => {
        if (!ok) unauthorizedHandler?.();
      });
    }
  }, 30_000);
  return () => clearInterval(timer);
}
