import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { presetFor } from '@/presets';
import { json, mockFetch, renderWithClient } from '@/test/render';
import { interleavedBoostSchema } from '@/test/schemas';
import { DesignEditor } from './DesignEditor';

const PROJECT = '01a24577-57ad-713c-b301-f637b808480b';
const DESIGNS_PATH = `/api/v1/projects/${PROJECT}/designs`;

function fieldBox(path: string): HTMLElement {
  const box = document.querySelector<HTMLElement>(`[data-field="${path}"]`);
  if (!box) throw new Error(`no field ${path} on the page`);
  return box;
}

describe('DesignEditor', () => {
  let requests: ReturnType<typeof mockFetch>['requests'];
  const onCreated = vi.fn();

  function setup(answer: (request: Request) => Response) {
    const mock = mockFetch({ [`POST ${DESIGNS_PATH}`]: answer, 'GET /api/v1/parts': () => json([]) });
    requests = mock.requests;
    vi.stubGlobal('fetch', vi.fn(mock.fetchMock));
    renderWithClient(
      <DesignEditor
        projectId={PROJECT}
        kernel="interleaved_boost"
        schema={interleavedBoostSchema}
        preset={presetFor('interleaved_boost')}
        onCreated={onCreated}
      />,
    );
  }

  const posts = () => requests.filter((request) => request.method === 'POST');

  beforeEach(() => onCreated.mockReset());
  afterEach(() => vi.unstubAllGlobals());

  it('starts from the preset with units', () => {
    setup(() => json({}, 500));
    const inductance = screen.getByLabelText(/^Nominal inductance/);
    expect(inductance).toHaveValue('400e-6');
    expect(within(fieldBox('parameters.l')).getByText('H')).toBeInTheDocument();
    expect(within(fieldBox('parameters.l')).getByText(/accepted > 0 and ≤ 10 H/)).toBeInTheDocument();
  });

  it('does not submit an out-of-range value', async () => {
    const user = userEvent.setup();
    setup(() => json({}, 500));
    const inductance = screen.getByLabelText(/^Nominal inductance/);
    await user.clear(inductance);
    await user.type(inductance, '-1');
    await user.click(screen.getByRole('button', { name: 'Save design' }));

    expect(posts()).toHaveLength(0);
    expect(within(fieldBox('parameters.l')).getByRole('alert')).toHaveTextContent('-1 is out of range: accepted > 0 and ≤ 10 H');
    expect(inductance).toHaveAttribute('aria-invalid', 'true');
    expect(inductance).toHaveFocus();
    expect(screen.getByText(/1 field is invalid/)).toBeInTheDocument();
  });

  it('does not submit an empty required value', async () => {
    const user = userEvent.setup();
    setup(() => json({}, 500));
    await user.clear(screen.getByLabelText(/^Input voltage/));
    await user.click(screen.getByRole('button', { name: 'Save design' }));
    expect(posts()).toHaveLength(0);
    expect(within(fieldBox('parameters.v_in')).getByRole('alert')).toHaveTextContent('required');
  });

  it('clears an error once the value is fixed', async () => {
    const user = userEvent.setup();
    setup(() => json({}, 500));
    const inductance = screen.getByLabelText(/^Nominal inductance/);
    await user.clear(inductance);
    await user.type(inductance, 'abc');
    await user.tab();
    expect(within(fieldBox('parameters.l')).getByRole('alert')).toHaveTextContent('is not a number');
    await user.clear(inductance);
    await user.type(inductance, '330u');
    expect(within(fieldBox('parameters.l')).queryByRole('alert')).toBeNull();
  });

  it('sends valid values with the API section names', async () => {
    const user = userEvent.setup();
    setup(() => json({ id: 'd1', name: 'x' }, 201));
    const inductance = screen.getByLabelText(/^Nominal inductance/);
    await user.clear(inductance);
    await user.type(inductance, '330u');
    await user.click(screen.getByRole('button', { name: 'Save design' }));

    await waitFor(() => expect(onCreated).toHaveBeenCalledTimes(1));
    const body = posts()[0]?.body as Record<string, Record<string, unknown>>;
    expect(body.topology).toBe('interleaved_boost');
    expect(body.parameters?.l).toBeCloseTo(330e-6, 15);
    expect(body.parameters?.l_tolerance).toEqual([0, 0.1]);
    expect(body.controller).toEqual({ mode: 'voltage', v_ref: 400, soft_start: 3e-3 });
    expect(body.simulation).toEqual({ t_stop: 20e-3, output_step: 100e-9 });
    expect(body).not.toHaveProperty('control');
  });

  it('puts 422 field errors next to their fields', async () => {
    const user = userEvent.setup();
    setup(() =>
      json(
        {
          type: 'https://pelab.dev/problems/invalid-field',
          title: 'Invalid field',
          status: 422,
          detail: 'controller.v_ref: must be above v_in for a boost',
          errors: [
            { field: 'controller.v_ref', message: 'must be above v_in (250 V) for a boost' },
            { field: 'parameters.l_tolerance[1]', message: 'out of range: accepted ≥ -0.5 and ≤ 0.5' },
            { field: 'simulation', message: 'output_step too coarse for the switching period' },
          ],
        },
        422,
        'application/problem+json',
      ),
    );
    await user.click(screen.getByRole('button', { name: 'Save design' }));

    await waitFor(() => expect(within(fieldBox('control.v_ref')).getByRole('alert')).toHaveTextContent('must be above v_in (250 V) for a boost'));
    expect(within(fieldBox('parameters.l_tolerance')).getByRole('alert')).toHaveTextContent('out of range');
    expect(screen.getByText('The server rejected the design')).toBeInTheDocument();
    expect(screen.getByText(/output_step too coarse/)).toBeInTheDocument();
    expect(onCreated).not.toHaveBeenCalled();
    expect(posts()).toHaveLength(1);
  });
});
