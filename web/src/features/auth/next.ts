// The page to return to after sign-in. It travels as `?next=` on /login and is kept in
// sessionStorage while the user follows the emailed link, which carries only the token.

const STORAGE_KEY = 'pelab.login.next';

/**
 * Returns `next` when it is a path on this site, else '/'. Absolute and protocol-relative
 * URLs (`//host`) are rejected, so a crafted login link cannot send the user elsewhere.
 */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (next === '/login' || next.startsWith('/login/') || next.startsWith('/login?')) return '/';
  return next;
}

export function saveNext(next: string) {
  try {
    sessionStorage.setItem(STORAGE_KEY, safeNext(next));
  } catch {
    // Storage can be disabled; sign-in then lands on the overview.
  }
}

/** Returns the saved page and clears it. */
export function takeNext(): string {
  try {
    const next = sessionStorage.getItem(STORAGE_KEY);
    sessionStorage.removeItem(STORAGE_KEY);
    return safeNext(next);
  } catch {
    return '/';
  }
}

/** The login URL that returns to `path` (path, query and hash of the page) after sign-in. */
export function loginUrl(path: string): string {
  return path === '/' || path === '' ? '/login' : `/login?next=${encodeURIComponent(path)}`;
}
