import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json, meOf, mockFetch, renderWithClient } from '@/test/render';
import { DesignTab } from './DesignTab';

const PROJECT_ID = '00000000-0000-0000-0000-000000000001';

const DESIGN = {
  id: '00000000-0000-0000-0000-000000000002',
  org_id: 'org-1',
  project_id: PROJECT_ID,
  name: 'Buck 48 V',
  topology: 'buck',
  document: { parameters: { v_in: 48, f_sw: 100e3 } },
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
};

function renderTab(role: 'viewer' | 'engineer') {
  const mock = mockFetch({
    'GET /api/v1/auth/me': () => json(meOf(role)),
    [`GET /api/v1/projects/${PROJECT_ID}/designs`]: () => json([DESIGN]),
  });
  vi.stubGlobal('fetch', vi.fn(mock.fetchMock));
  const onRun = vi.fn();
  renderWithClient(<DesignTab projectId={PROJECT_ID} wizardKernel={null} wizardOpen={false} onWizard={() => {}} onRun={onRun} />);
  return { onRun };
}

afterEach(() => vi.unstubAllGlobals());

describe('DesignTab Simulate button', () => {
  it('is disabled for viewers with the reason', async () => {
    renderTab('viewer');
    await screen.findByText('Buck 48 V');
    const button = await screen.findByRole('button', { name: 'Simulate', description: /run simulations/ });
    expect(button).toBeDisabled();
    expect(button).toHaveAccessibleDescription('Viewers cannot run simulations; ask an admin for the Engineer role.');
  });

  it('starts a run for engineers', async () => {
    const { onRun } = renderTab('engineer');
    await screen.findByText('Buck 48 V');
    const button = await screen.findByRole('button', { name: 'Simulate' });
    await vi.waitFor(() => expect(button).toBeEnabled());
    await userEvent.setup().click(button);
    expect(onRun).toHaveBeenCalledWith(DESIGN.id);
    expect(screen.queryByTestId('denied-reason')).toBeNull();
  });
});
