import { describe, expect, it } from 'vitest';
import { formatTime } from '@/lib/format';
import { invitationSentMessage, linkLifetime } from './links';

describe('invitationSentMessage', () => {
  const expires = '2026-01-08T00:00:00Z';

  it('points to the log when links are logged', () => {
    const message = invitationSentMessage('new@example.com', expires, true);
    expect(message).toContain('Invitation created for new@example.com.');
    expect(message).toContain('to the server log instead of emailing it');
    expect(message).toContain(`Until the invitation expires (${formatTime(expires)})`);
  });

  it('says the link was emailed with mail', () => {
    const message = invitationSentMessage('new@example.com', expires, false);
    expect(message).toContain('Invitation sent to new@example.com. The server emailed a sign-in link.');
    expect(message).not.toContain('server log');
  });

  it('leaves out the delivery while unknown', () => {
    const message = invitationSentMessage('new@example.com', expires, undefined);
    expect(message).not.toContain('emailed');
    expect(message).not.toContain('server log');
    expect(message).toContain('request a new link at /login');
  });
});

describe('linkLifetime', () => {
  it('says minutes, seconds, or the default while loading', () => {
    expect(linkLifetime(900)).toBe('15 minutes');
    expect(linkLifetime(60)).toBe('1 minute');
    expect(linkLifetime(45)).toBe('45 seconds');
    expect(linkLifetime(undefined)).toBe('15 minutes (the server default)');
  });
});
