import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json, mockFetch, renderWithClient } from '@/test/render';
import { ImportDialog } from './ImportDialog';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('ImportDialog', () => {
  it('previews a file, posts the valid items and reports each answer', async () => {
    let posted = 0;
    const { fetchMock, requests } = mockFetch({
      'POST /api/v1/components': () => {
        posted += 1;
        if (posted === 1) return json({ id: 'c1', kind: 'mosfet', vendor: 'A', pn: 'P1', params: {}, version: 1 }, 201);
        if (posted === 2) return json({ type: 'about:blank', title: 'Conflict', status: 409, detail: 'A P2 is already in the library' }, 409, 'application/problem+json');
        return json(
          { type: 'about:blank', title: 'Unprocessable', status: 422, detail: 'invalid component', errors: [{ field: 'params.c', message: 'must be positive' }] },
          422,
          'application/problem+json',
        );
      },
    });
    vi.stubGlobal('fetch', fetchMock);
    const user = userEvent.setup();
    renderWithClient(<ImportDialog open onClose={() => undefined} />);
    const file = new File(
      [
        JSON.stringify([
          { kind: 'mosfet', vendor: 'A', pn: 'P1', params: {} },
          { kind: 'diode', vendor: 'A', pn: 'P2', params: {} },
          { kind: 'capacitor', vendor: 'A', pn: 'P3', params: { c: -1 } },
          { kind: 'relay', vendor: 'A', pn: 'P4', params: {} },
        ]),
      ],
      'parts.json',
      { type: 'application/json' },
    );
    await user.upload(screen.getByLabelText('JSON file'), file);
    await screen.findByText(/kind must be one of/);
    expect(screen.getByText('parts.json: 4 items, 3 valid.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Import 3 components' }));
    await screen.findByText('1 imported, 1 duplicate, 1 rejected.');
    expect(screen.getByText(/A P2 is already in the library/)).toBeInTheDocument();
    expect(screen.getByText(/params.c: must be positive/)).toBeInTheDocument();
    const posts = requests.filter((request) => request.method === 'POST');
    expect(posts.map((request) => (request.body as { pn: string }).pn)).toEqual(['P1', 'P2', 'P3']);
    await waitFor(() => expect(screen.getByRole('button', { name: 'Import 3 components' })).toBeDisabled());
  });

  it('reports a file that is not JSON', async () => {
    const user = userEvent.setup();
    renderWithClient(<ImportDialog open onClose={() => undefined} />);
    await user.upload(screen.getByLabelText('JSON file'), new File(['kind: mosfet'], 'parts.json', { type: 'application/json' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/parts.json: The file is not valid JSON/);
    expect(screen.getByRole('button', { name: 'Import 0 components' })).toBeDisabled();
  });
});
