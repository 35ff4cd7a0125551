// Signs a browser in through the emailed sign-in link, which the test server writes to its
// log, and calls the API with that browser's session cookies.
import assert from 'node:assert/strict';

/** The bootstrap admin of a fresh data directory. */
export const ADMIN_EMAIL = 'admin@localhost';

/** Requests a sign-in link for `email` (`POST /auth/magic-link`) and returns the link from the log. */
export async function requestSignInLink(server, email) {
  const mark = server.logMark();
  const response = await fetch(`${server.base}/api/v1/auth/magic-link`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email }),
  });
  assert.equal(response.status, 202, `POST /auth/magic-link for ${email} returned ${response.status}: ${await response.text()}`);
  return server.signInLink({ after: mark, email });
}

/** Opens a sign-in link in `page` and waits until the app has left the verify page. */
export async function openSignInLink(page, server, link) {
  await page.goto(`${server.base}${link}`);
  await page.waitForURL((url) => !url.pathname.startsWith('/login'), { timeout: 30_000 });
}

/** Signs `page`'s browser in as `email` (the admin by default). */
export async function signIn(page, server, email = ADMIN_EMAIL) {
  const link = await requestSignInLink(server, email);
  await openSignInLink(page, server, link);
  await page.getByTestId('user-menu').waitFor();
}

/**
 * Returns `api(path, init)` that sends fetch-style requests with the cookies of `context`
 * and the CSRF header, asserts a 2xx status and returns the JSON body (null for 204).
 */
export function sessionApi(context, server) {
  return async (path, init = {}) => {
    const response = await sessionRequest(context, server, path, init);
    const text = await response.text();
    assert.ok(response.ok(), `${init.method ?? 'GET'} ${path} returned ${response.status()}: ${text}`);
    return text === '' ? null : JSON.parse(text);
  };
}

/** Sends one request with the cookies of `context` and the CSRF header; returns Playwright's response. */
export async function sessionRequest(context, server, path, init = {}) {
  const cookies = await context.cookies(server.base);
  const csrf = cookies.find((cookie) => cookie.name === 'pelab_csrf')?.value;
  const method = init.method ?? 'GET';
  const headers = { ...(init.headers ?? {}) };
  if (csrf && method !== 'GET') headers['X-CSRF-Token'] = csrf;
  return context.request.fetch(`${server.base}${path}`, { method, headers, data: init.body, failOnStatusCode: false });
}
