import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json, meOf, mockFetch, renderWithClient } from '@/test/render';
import TokensPage from './TokensPage';

function renderPage(role: 'viewer' | 'engineer' | 'admin') {
  const mock = mockFetch({
    'GET /api/v1/auth/me': () => json(meOf(role)),
    'GET /api/v1/tokens': () => json([]),
    'POST /api/v1/tokens': () => json({ secret: 'pelab_secret', token: { id: 't1', name: 'logger' } }, 201),
  });
  vi.stubGlobal('fetch', vi.fn(mock.fetchMock));
  renderWithClient(<TokensPage />);
  return mock.requests;
}

/** Waits until /auth/me has loaded, which is when the role's limits apply. */
async function scopeBox(name: string) {
  await screen.findByText('No tokens yet.');
  return screen.getByRole('checkbox', { name });
}

afterEach(() => vi.unstubAllGlobals());

describe('TokensPage scopes', () => {
  it('disables scopes above a viewer with reasons', async () => {
    renderPage('viewer');
    await vi.waitFor(async () => expect(await scopeBox('write')).toBeDisabled());
    expect(screen.getByRole('checkbox', { name: 'read' })).toBeEnabled();
    expect(screen.getByRole('checkbox', { name: 'write' })).toHaveAccessibleDescription(/needs the Engineer role/);
    expect(screen.getByRole('checkbox', { name: 'telemetry' })).toBeDisabled();
    expect(screen.getByRole('checkbox', { name: 'telemetry' })).toHaveAccessibleDescription(/needs the Engineer role/);
    expect(screen.getByRole('checkbox', { name: 'admin' })).toBeDisabled();
    expect(screen.getByRole('checkbox', { name: 'admin' })).toHaveAccessibleDescription(/needs the Admin role/);
  });

  it('disables only admin for an engineer', async () => {
    renderPage('engineer');
    await vi.waitFor(async () => expect(await scopeBox('admin')).toBeDisabled());
    expect(screen.getByRole('checkbox', { name: 'write' })).toBeEnabled();
    expect(screen.getByRole('checkbox', { name: 'telemetry' })).toBeEnabled();
    expect(screen.getAllByTestId('denied-reason')).toHaveLength(1);
  });

  it('enables every scope for an admin', async () => {
    renderPage('admin');
    await screen.findByText('No tokens yet.');
    for (const name of ['read', 'write', 'telemetry', 'admin']) {
      await vi.waitFor(() => expect(screen.getByRole('checkbox', { name })).toBeEnabled());
    }
    expect(screen.queryByTestId('denied-reason')).toBeNull();
  });

  it('sends only the scopes the role may give', async () => {
    const requests = renderPage('viewer');
    const user = userEvent.setup();
    await vi.waitFor(async () => expect(await scopeBox('write')).toBeDisabled());
    await user.type(screen.getByLabelText('Token name'), 'logger');
    await user.click(screen.getByRole('button', { name: 'Create token' }));
    await vi.waitFor(() => expect(requests.some((item) => item.method === 'POST')).toBe(true));
    expect(requests.find((item) => item.method === 'POST')?.body).toMatchObject({ name: 'logger', scopes: ['read'] });
  });
});
