import { formatTime } from '@/lib/format';

/**
 * Says how long a sign-in link works, from `link_ttl_secs` of GET /auth/config. While the
 * configuration is loading it names the server's default (`PELAB_LINK_TTL_SECS`, 900 s).
 */
export function linkLifetime(ttlSecs: number | undefined): string {
  if (ttlSecs === undefined) return '15 minutes (the server default)';
  if (ttlSecs === 60) return '1 minute';
  if (ttlSecs % 60 === 0) return `${ttlSecs / 60} minutes`;
  return `${ttlSecs} seconds`;
}

/**
 * Returns the status line after an invitation. `logsLinks` is the server's `dev_log_links`, or
 * undefined while /auth/config is loading or failed, when the line leaves out how the link went.
 */
export function invitationSentMessage(
  address: string,
  expiresAt: string,
  logsLinks: boolean | undefined,
  ttlSecs?: number,
): string {
  const lifetime =
    `The link expires after ${linkLifetime(ttlSecs)}. Until the invitation expires (${formatTime(expiresAt)}), ` +
    `${address} can also request a new link at /login with this address.`;
  if (logsLinks === undefined) return `Invitation created for ${address}. ${lifetime}`;
  if (logsLinks) {
    return (
      `Invitation created for ${address}. The server wrote its sign-in link to the server log instead of emailing it, ` +
      `so look for “sign-in link” in the output of pelab serve and pass the link on. ${lifetime}`
    );
  }
  return `Invitation sent to ${address}. The server emailed a sign-in link. ${lifetime}`;
}
