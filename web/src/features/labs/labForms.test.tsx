import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactElement } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import MotorLabPage from '@/pages/MotorLabPage';
import { json, mockFetch, renderWithClient } from '@/test/render';
import { LclCalc } from './calculators/LclCalc';
import { LlcCalc } from './calculators/LlcCalc';
import { RippleCalc } from './calculators/RippleCalc';
import { FOC_DEFAULTS, LCL_DEFAULTS, LLC_DEFAULTS, PV_DEFAULTS, RIPPLE_DEFAULTS } from './inputs';
import { MpptRun } from './pv/MpptRun';
import { PvCurves } from './pv/PvCurves';

// uPlot reads matchMedia when it loads, which jsdom lacks; the MPPT tests check the form
// and the run request, not the waveform chart.
vi.mock('@/features/sim/WaveformChart', () => ({ WaveformChart: () => <div data-testid="waveform-chart" /> }));

const PROJECT = '01a24577-57ad-713c-b301-f637b808480b';
const RUN = '01a24591-9a55-726b-8e28-4a4bbb6c7634';

function fieldBox(path: string): HTMLElement {
  const box = document.querySelector<HTMLElement>(`[data-field="${path}"]`);
  if (!box) throw new Error(`no field ${path} on the page`);
  return box;
}

function invalid(field: string, message: string): Response {
  return json(
    { type: 'https://pelab.dev/problems/invalid-field', title: 'Unprocessable Entity', status: 422, detail: `${field}: ${message}`, errors: [{ field, message }] },
    422,
    'application/problem+json',
  );
}

const rippleAnswer = (request: Request) =>
  request
    .clone()
    .json()
    .then((body: { phases?: number; v_in: number; v_out: number }) => {
      const duty = 1 - body.v_in / body.v_out;
      return json({ duty, delta_i_l_pp: 3.6, ripple_frequency: 130e3, cancellation: Math.abs(1 - 2 * duty), summed_current: 'input', delta_i_sum_pp: 1.44, i_boundary: 2.25, mode: 'ccm', i_l_peak: 9 });
    });

const llcAnswer = () =>
  json({
    f_r: 100e3,
    f_p: 40.8e3,
    k: 5,
    z_0: 12.57,
    r_ac: 31.4,
    loads: [{ r_load: 2.304, r_ac: 31.4, q: 0.4, curve: [{ f: 30e3, gain: 1.1 }, { f: 100e3, gain: 1 }, { f: 300e3, gain: 0.9 }], peak: { f: 49e3, gain: 1.39 } }],
  });

const lclAnswer = () =>
  json({
    z_base: 16,
    c_base: 1.99e-4,
    l_base: 0.0509,
    i_peak: 20.4,
    delta_i_max: 4.08,
    l1: 1.786e-3,
    l2: 0.893e-3,
    c_f: 9.947e-6,
    f_res: 2068,
    r_damp: 2.58,
    attenuation: 0.0113,
    attenuation_db: -39,
    total_l_pu: 0.0526,
    checks: [
      { name: 'resonance_window', ok: true, detail: '10·f_grid = 500 Hz < f_res = 2068 Hz < f_sw/2 = 8000 Hz' },
      { name: 'total_inductance', ok: false, detail: 'L1 + L2 = 0.12 pu ≥ 0.1 pu' },
    ],
  });

const focAnswer = () =>
  json({
    gains: { kp_d: 0.377, ki_d: 31.4, kp_q: 0.942, ki_q: 31.4, kp_speed: 6.28, ki_speed: 197 },
    v_max: 230.9,
    torque_max: 249.8,
    base_speed: 4484.6,
    current_time_constant: 3.183e-4,
    current_rise_time: 3.079e-4,
    current_step: [{ t: 0, i_d: 0, i_q: 0 }, { t: 1e-3, i_d: 0, i_q: 240 }],
    speed_step: [{ t: 0, speed: 0, torque: 0, i_d: 0, i_q: 0 }, { t: 0.1, speed: 3000, torque: 1, i_d: 0, i_q: 1 }],
    envelope: [{ speed: 0, torque: 249.8, power: 0, i_d: -290, i_q: 406 }, { speed: 8969, torque: 162, power: 152e3, i_d: -456, i_q: 204 }],
  });

const pvAnswer = (request: Request) =>
  request
    .clone()
    .json()
    .then((body: { irradiance: number; series: number; module: string }) => {
      const scale = body.irradiance / 1000;
      const curve = [0, 200, 400, 460].map((v) => ({ v, i: v < 460 ? 9.3 * scale : 0, p: v < 460 ? 9.3 * scale * v : 0 }));
      return json({ module: body.module, technology: 'Mono-c-Si', series: body.series, v_oc: 460, i_sc: 9.3 * scale, mpp: { v: 375, i: 8.8 * scale, p: 3300 * scale }, fill_factor: 0.77, curve });
    });

interface FormCase {
  name: string;
  endpoint: string;
  answer: (request: Request) => Response | Promise<Response>;
  ui: () => ReactElement;
  submit: string;
  defaults: Record<string, unknown>;
  /** A field to make invalid, the text to type and the message the form shows. */
  bad: { path: string; label: RegExp; text: string; message: string };
  /** A field error the server returns, and the input it belongs to. */
  server: { field: string; message: string; path: string };
}

const CASES: FormCase[] = [
  {
    name: 'inductor ripple',
    endpoint: '/api/v1/calc/ripple',
    answer: rippleAnswer,
    ui: () => <RippleCalc />,
    submit: 'Calculate ripple',
    defaults: RIPPLE_DEFAULTS,
    bad: { path: 'ripple.l', label: /^Inductance per phase/, text: '2', message: '2 is out of range: accepted ≥ 1e-9 and ≤ 1 H' },
    server: { field: 'v_out', message: '400 (accepted: below v_in = 250 V for a buck)', path: 'ripple.v_out' },
  },
  {
    name: 'LLC tank',
    endpoint: '/api/v1/calc/llc-tank',
    answer: llcAnswer,
    ui: () => <LlcCalc />,
    submit: 'Calculate gain curves',
    defaults: LLC_DEFAULTS,
    bad: { path: 'llc.loads', label: /^Load resistances/, text: '2.3, -1', message: 'value 2: -1 is out of range: accepted ≥ 0.001 and ≤ 1e+6 Ω' },
    server: { field: 'loads[1]', message: '-1 (accepted: 1e-3 to 1e6 Ω)', path: 'llc.loads' },
  },
  {
    name: 'LCL filter',
    endpoint: '/api/v1/calc/lcl',
    answer: lclAnswer,
    ui: () => <LclCalc />,
    submit: 'Size the filter',
    defaults: LCL_DEFAULTS,
    bad: { path: 'lcl.ripple', label: /^Allowed ripple/, text: '0.9', message: '0.9 is out of range: accepted ≥ 0.05 and ≤ 0.5' },
    server: { field: 'f_sw', message: '50 (accepted: 100 to 1e7 Hz)', path: 'lcl.f_sw' },
  },
  {
    name: 'FOC tuning',
    endpoint: '/api/v1/calc/foc-tuning',
    answer: focAnswer,
    ui: () => <MotorLabPage />,
    submit: 'Tune and simulate',
    defaults: FOC_DEFAULTS,
    bad: { path: 'foc.pole_pairs', label: /^Pole pairs/, text: '2.5', message: '2.5 is not a whole number' },
    server: { field: 'speed_bandwidth', message: '200 (accepted: above 0 up to current_bandwidth/5 = 100 Hz)', path: 'foc.speed_bandwidth' },
  },
];

class NoResize {
  observe() {}
  unobserve() {}
  disconnect() {}
}

let requests: ReturnType<typeof mockFetch>['requests'];

function setup(routes: Record<string, (request: Request) => Response | Promise<Response>>, ui: ReactElement) {
  const mock = mockFetch(routes);
  requests = mock.requests;
  vi.stubGlobal('fetch', vi.fn(mock.fetchMock));
  renderWithClient(ui);
}

const posts = (path: string) => requests.filter((request) => request.method === 'POST' && request.path === path);

beforeEach(() => vi.stubGlobal('ResizeObserver', NoResize));
afterEach(() => vi.unstubAllGlobals());

describe.each(CASES)('$name form', (form) => {
  it('sends its valid defaults on open', async () => {
    setup({ [`POST ${form.endpoint}`]: form.answer }, form.ui());
    await waitFor(() => expect(posts(form.endpoint).length).toBeGreaterThan(0));
    expect(posts(form.endpoint)[0]?.body).toEqual(form.defaults);
    expect(screen.queryByText(/fields? (is|are) invalid/)).toBeNull();
  });

  it('does not send an invalid value', async () => {
    const user = userEvent.setup();
    setup({ [`POST ${form.endpoint}`]: form.answer }, form.ui());
    await waitFor(() => expect(posts(form.endpoint).length).toBeGreaterThan(0));
    // The ripple page sends its duty sweep after the first response, so wait until it is sent.
    await new Promise((done) => setTimeout(done, 50));
    const before = posts(form.endpoint).length;

    const input = screen.getByLabelText(form.bad.label);
    await user.clear(input);
    await user.type(input, form.bad.text);
    await user.click(screen.getByRole('button', { name: form.submit }));

    expect(within(fieldBox(form.bad.path)).getByRole('alert')).toHaveTextContent(form.bad.message);
    expect(input).toHaveAttribute('aria-invalid', 'true');
    expect(input).toHaveFocus();
    expect(screen.getByText(/1 field is invalid/)).toBeInTheDocument();
    await new Promise((done) => setTimeout(done, 20));
    expect(posts(form.endpoint)).toHaveLength(before);
  });

  it('shows a 422 next to its field', async () => {
    setup({ [`POST ${form.endpoint}`]: () => invalid(form.server.field, form.server.message) }, form.ui());
    await waitFor(() => expect(within(fieldBox(form.server.path)).getByRole('alert')).toHaveTextContent(form.server.message));
    expect(posts(form.endpoint)).toHaveLength(1);
  });
});

describe('rules between fields', () => {
  it('keep a buck above its input from being sent', async () => {
    const user = userEvent.setup();
    setup({ 'POST /api/v1/calc/ripple': rippleAnswer }, <RippleCalc />);
    await waitFor(() => expect(posts('/api/v1/calc/ripple').length).toBeGreaterThan(1));
    await new Promise((done) => setTimeout(done, 50));
    const before = posts('/api/v1/calc/ripple').length;
    await user.selectOptions(screen.getByLabelText(/^Topology/), 'buck');
    await user.click(screen.getByRole('button', { name: 'Calculate ripple' }));
    expect(within(fieldBox('ripple.v_out')).getByRole('alert')).toHaveTextContent('400 is out of range: accepted below v_in = 250 V for a buck');
    expect(screen.getByLabelText(/^Output voltage/)).toHaveFocus();
    expect(posts('/api/v1/calc/ripple')).toHaveLength(before);
  });

  it('keep L_d above L_q from being sent', async () => {
    const user = userEvent.setup();
    setup({ 'POST /api/v1/calc/foc-tuning': focAnswer }, <MotorLabPage />);
    await waitFor(() => expect(posts('/api/v1/calc/foc-tuning')).toHaveLength(1));
    const input = screen.getByLabelText(/^D-axis inductance/);
    await user.clear(input);
    await user.type(input, '400u');
    await user.click(screen.getByRole('button', { name: 'Tune and simulate' }));
    expect(within(fieldBox('foc.l_d')).getByRole('alert')).toHaveTextContent('is out of range: accepted at most l_q = 0.0003 H');
    expect(posts('/api/v1/calc/foc-tuning')).toHaveLength(1);
  });
});

describe('ripple results', () => {
  it('shows the mode and sweeps the duty', async () => {
    setup({ 'POST /api/v1/calc/ripple': rippleAnswer }, <RippleCalc />);
    await screen.findByText('CCM');
    expect(screen.getByTestId('ripple-delta-il')).toHaveTextContent('3.6 A');
    await waitFor(() => expect(Number(screen.getByTestId('ripple-chart').getAttribute('data-points'))).toBeGreaterThan(90));
    const sweep = posts('/api/v1/calc/ripple').slice(1);
    // 49 duties from 0.02 to 0.98, of which 0.5 is also the full-cancellation duty of two phases.
    expect(sweep).toHaveLength(49);
    for (const request of sweep) {
      const body = request.body as Record<string, unknown>;
      expect(body).not.toHaveProperty('i_out');
      expect(body.phases).toBe(2);
      expect(body.v_in).toBe(250);
    }
  });
});

describe('LCL results', () => {
  it('shows each check as pass or fail', async () => {
    setup({ 'POST /api/v1/calc/lcl': lclAnswer }, <LclCalc />);
    expect(await screen.findByTestId('lcl-check-resonance_window')).toHaveTextContent('pass');
    expect(screen.getByTestId('lcl-check-total_inductance')).toHaveTextContent('fail');
    expect(screen.getByTestId('lcl-fres')).toHaveTextContent('2.068 kHz');
  });
});

describe('FOC results', () => {
  it('shows the base speed and the gains', async () => {
    setup({ 'POST /api/v1/calc/foc-tuning': focAnswer }, <MotorLabPage />);
    expect(await screen.findByTestId('foc-base-speed')).toHaveTextContent('4485 rpm');
    expect(screen.getByText('942 mV/A')).toBeInTheDocument();
    expect(Number(screen.getByTestId('foc-envelope-chart').getAttribute('data-points'))).toBe(4);
  });
});

describe('PV curves form', () => {
  const modules = () => json([{ name: PV_DEFAULTS.module, technology: 'Mono-c-Si', p_stc: 275.4, v_oc: 38.3, i_sc: 9.31 }]);

  it('computes one curve per irradiance level', async () => {
    const onComputed = vi.fn();
    setup({ 'POST /api/v1/calc/pv-curve': pvAnswer, 'GET /api/v1/pv/modules': modules }, <PvCurves onComputed={onComputed} />);
    await waitFor(() => expect(onComputed).toHaveBeenCalledWith(PV_DEFAULTS.module, 12));
    const bodies = posts('/api/v1/calc/pv-curve').map((request) => request.body as Record<string, unknown>);
    expect(bodies.map((body) => body.irradiance)).toEqual([1000, 800, 600, 400, 200]);
    for (const body of bodies) expect(body).toMatchObject({ module: PV_DEFAULTS.module, t_cell: 25, series: 12 });
    expect(screen.getByTestId('pv-mpp-power')).toHaveTextContent('3.3 kW');
    expect(Number(screen.getByTestId('pv-iv-chart').getAttribute('data-points'))).toBe(20);
  });

  it('does not send an irradiance out of range', async () => {
    const user = userEvent.setup();
    setup({ 'POST /api/v1/calc/pv-curve': pvAnswer, 'GET /api/v1/pv/modules': modules }, <PvCurves onComputed={() => {}} />);
    await waitFor(() => expect(posts('/api/v1/calc/pv-curve')).toHaveLength(5));
    const input = screen.getByLabelText(/^Irradiance levels/);
    await user.clear(input);
    await user.type(input, '1000, 2000');
    await user.click(screen.getByRole('button', { name: 'Calculate curves' }));
    expect(within(fieldBox('pv.irradiance')).getByRole('alert')).toHaveTextContent('value 2: 2000 is out of range: accepted > 0 and ≤ 1500 W/m²');
    expect(posts('/api/v1/calc/pv-curve')).toHaveLength(5);
  });

  it('shows a 422 next to its field', async () => {
    setup(
      { 'POST /api/v1/calc/pv-curve': () => invalid('t_cell', '120 (accepted: -40 to 100 °C)'), 'GET /api/v1/pv/modules': modules },
      <PvCurves onComputed={() => {}} />,
    );
    await waitFor(() => expect(within(fieldBox('pv.t_cell')).getByRole('alert')).toHaveTextContent('120 (accepted: -40 to 100 °C)'));
  });

  it('lists the server message for an unknown module', async () => {
    setup(
      { 'POST /api/v1/calc/pv-curve': () => invalid('module', '"X" is not in the CEC table'), 'GET /api/v1/pv/modules': modules },
      <PvCurves onComputed={() => {}} />,
    );
    expect(await screen.findByText('The server rejected the request')).toBeInTheDocument();
    expect(screen.getByText('module: "X" is not in the CEC table')).toBeInTheDocument();
  });
});

describe('MPPT run form', () => {
  const projects = () => json([{ id: PROJECT, name: 'PV string inverter with MPPT', domain: 'PV', notes: null, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' }]);

  class SilentSocket {
    readyState = 0;
    onopen = null;
    onmessage = null;
    onclose = null;
    onerror = null;
    close() {}
    send() {}
  }

  beforeEach(() => vi.stubGlobal('WebSocket', SilentSocket));

  const LAB = '01a24599-0000-7000-8000-000000000001';
  const created = () => json({ id: LAB, name: 'PV lab', domain: 'PV', notes: null, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' }, 201);

  it('runs the kernel on the EN 50530 ramps in a lab project of its own', async () => {
    const user = userEvent.setup();
    setup(
      {
        'GET /api/v1/projects': projects,
        'POST /api/v1/projects': created,
        'POST /api/v1/simulate/run': () => json({ run_id: RUN, status: 'queued', status_url: '', stream_url: '' }, 202),
        [`GET /api/v1/simulate/run/${RUN}`]: () => json({ id: RUN, project_id: LAB, status: 'running', progress: 0.5 }),
      },
      <MpptRun module={PV_DEFAULTS.module} series={12} />,
    );
    await screen.findByRole('option', { name: 'PV string inverter with MPPT' });
    await user.click(screen.getByRole('button', { name: 'Run MPPT test' }));
    await waitFor(() => expect(posts('/api/v1/simulate/run')).toHaveLength(1));
    // The demo project is not used: the lab made its own and titled the run.
    expect(posts('/api/v1/projects')).toHaveLength(1);
    const body = posts('/api/v1/simulate/run')[0]?.body as Record<string, Record<string, unknown>>;
    expect(body.project_id).toBe(LAB);
    expect(String(body.title)).toContain('PV lab: MPPT on EN 50530 ramps');
    expect(body.topology).toBe('pv_mppt');
    expect(body.parameters).toMatchObject({ module: PV_DEFAULTS.module, modules_series: 12, profile: 'en50530_ramps', ramp_set: 'both' });
    expect(body.controller).toMatchObject({ algorithm: 'po', step_size: 1, mppt_rate: 10 });
    expect(await screen.findByRole('progressbar', { name: 'MPPT run progress' })).toBeInTheDocument();
  });

  it('does not send an invalid step', async () => {
    const user = userEvent.setup();
    setup({ 'GET /api/v1/projects': projects }, <MpptRun module={PV_DEFAULTS.module} series={12} />);
    const input = screen.getByLabelText(/^Voltage step/);
    await user.clear(input);
    await user.type(input, '0');
    await user.click(screen.getByRole('button', { name: 'Run MPPT test' }));
    expect(within(fieldBox('mppt.step_size')).getByRole('alert')).toHaveTextContent('0 is out of range: accepted > 0 and ≤ 1000 V');
    expect(posts('/api/v1/simulate/run')).toHaveLength(0);
  });

  it('shows a 422 of the run next to its field', async () => {
    const user = userEvent.setup();
    setup(
      { 'GET /api/v1/projects': projects, 'POST /api/v1/projects': created, 'POST /api/v1/simulate/run': () => invalid('controller.mppt_rate', 'must be below f_ctrl') },
      <MpptRun module={PV_DEFAULTS.module} series={12} />,
    );
    await screen.findByRole('option', { name: 'PV string inverter with MPPT' });
    await user.click(screen.getByRole('button', { name: 'Run MPPT test' }));
    await waitFor(() => expect(within(fieldBox('mppt.mppt_rate')).getByRole('alert')).toHaveTextContent('must be below f_ctrl'));
  });
});
