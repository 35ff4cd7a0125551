import { formatTime } from '@/lib/format';

// NOTE: GET /auth/config does not report the link lifetime, so this is the server's default
// (`PELAB_LINK_TTL_SECS`, 900 s). A server configured otherwise makes this text wrong.
/** How long a sign-in link works, in words, for messages that point to a link. */
export const LINK_LIFETIME = '15 minutes (the server default)';

/**
 * Returns the status line after an invitation. `logsLinks` is the server's `dev_log_links`, or
 * undefined while /auth/config is loading or failed, when the line leaves out how the link went.
 */
export function invitationSentMessage(address: string, expiresAt: string, logsLinks: boolean | undefined): string {
  const lifetime =
    `The link expires after ${LINK_LIFETIME}. Until the invitation expires (${formatTime(expiresAt)}), ` +
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
