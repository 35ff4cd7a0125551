// End-to-end tests of the labs and calculators against a real `pelab serve`: each page
// is opened, submitted, and must draw its charts and show its key number as the API
// computes it. Screenshots in the light and dark themes go to test-results/screenshots/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchBrowser } from './browser.mjs';
import { startServer } from './server.mjs';
import { sessionApi, signIn } from './session.mjs';

const RESULTS = resolve(import.meta.dirname, '..', 'test-results');
const SHOTS = join(RESULTS, 'screenshots');
mkdirSync(SHOTS, { recursive: true });

let server;
let browser;
let page;
const pageErrors = [];

/** Calls the API with the signed-in browser's session; set in before(). */
let api;

const postJson = (path, body) => api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Takes a full-page screenshot and checks that every visible form control has a label. */
async function shot(name) {
  // A page scrolled by an earlier click would draw the sticky top bar mid-image.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const unlabeled = await page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea')]
      .filter((element) => element.type !== 'hidden')
      .filter((element) => !(element.labels?.length > 0 || element.getAttribute('aria-label') || element.getAttribute('aria-labelledby')))
      .map((element) => element.outerHTML.slice(0, 120)),
  );
  assert.deepEqual(unlabeled, [], `form controls without a label on ${name}`);
}

/** Waits until the chart with `testId` draws more than `min` points, and returns its count. */
async function chartPoints(testId, min = 0, timeout = 20_000) {
  await page.waitForFunction(
    ([id, least]) => Number(document.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-points') ?? 0) > least,
    [testId, min],
    { timeout },
  );
  const points = Number(await page.getByTestId(testId).getAttribute('data-points'));
  // Recharts draws each series as one SVG path; a chart with points must have drawn lines.
  const lines = await page.getByTestId(testId).locator('path.recharts-curve').count();
  assert.ok(lines > 0, `${testId} has ${points} points but drew no lines`);
  return points;
}

/** Counts the POST requests the page sends to `path` from now on. */
function countPosts(path) {
  const seen = { count: 0 };
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === path) seen.count += 1;
  });
  return seen;
}

/** Waits until no run is queued or running, so a new run starts at once. */
async function waitRunsIdle(timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const runs = await api('/api/v1/runs?limit=200');
    if (runs.every((run) => run.status !== 'queued' && run.status !== 'running')) return;
    await new Promise((done) => setTimeout(done, 1000));
  }
  throw new Error(`runs still active after ${timeoutMs / 1000} s`);
}

async function setTheme(theme) {
  const dark = await page.evaluate(() => document.documentElement.classList.contains('dark'));
  if ((theme === 'dark') !== dark) await page.getByRole('button', { name: `Switch to ${theme} theme` }).click();
}

describe('pelab labs and calculators', { timeout: 600_000 }, () => {
  before(async () => {
    server = await startServer({ logFile: join(RESULTS, 'pelab-serve-labs.log') });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await signIn(page, server);
    api = sessionApi(browser.context, server);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('overview links to every lab', async () => {
    await page.goto(`${server.base}/`);
    const labs = page.getByRole('region', { name: 'Labs and calculators' });
    for (const name of ['Design calculators', 'Motor Control Lab', 'PV/MPPT Lab', 'Component curves']) {
      await labs.getByRole('link', { name: new RegExp(name) }).waitFor();
    }
    await labs.getByRole('link', { name: /Motor Control Lab/ }).click();
    await page.getByRole('heading', { name: 'Motor Control Lab' }).waitFor();
  });

  it('ripple calculator computes the cancellation curve', async () => {
    const posts = countPosts('/api/v1/calc/ripple');
    await page.goto(`${server.base}/studio/calculators`);
    const points = await chartPoints('ripple-chart', 90);
    const expected = await postJson('/api/v1/calc/ripple', { topology: 'boost', v_in: 250, v_out: 400, f_sw: 65000, l: 0.0004, phases: 2, i_out: 9 });
    assert.equal(await page.getByTestId('ripple-delta-il').textContent(), `${Number(expected.delta_i_l_pp.toPrecision(4))} A`);
    assert.ok(points >= 96, `cancellation curve and summed ripple have ${points} points`);
    await page.getByText('CCM', { exact: true }).waitFor();
    await shot('calc-ripple');

    // An invalid value is marked and never sent.
    const sent = posts.count;
    const inductance = page.getByLabel(/^Inductance per phase/);
    await inductance.fill('-1');
    await page.getByRole('button', { name: 'Calculate ripple' }).click();
    await page.getByText('-1 is out of range: accepted ≥ 1e-9 and ≤ 1 H').waitFor();
    await page.waitForTimeout(200);
    assert.equal(posts.count, sent, 'the invalid form sent no request');

    // A buck with an output above its input breaks a rule between two fields: also not sent.
    await inductance.fill('400u');
    await page.getByLabel(/^Topology/).selectOption('buck');
    await page.getByRole('button', { name: 'Calculate ripple' }).click();
    await page.locator('[data-field="ripple.v_out"]').getByRole('alert').getByText('400 is out of range: accepted below v_in = 250 V for a buck').waitFor();
    await page.waitForTimeout(200);
    assert.equal(posts.count, sent, 'the buck with V_out above V_in sent no request');
    await shot('calc-ripple-error');
  });

  it('LLC calculator draws the gain curves with f_r', async () => {
    await page.goto(`${server.base}/studio/calculators?tab=llc`);
    const points = await chartPoints('llc-chart', 0);
    assert.equal(points, 4 * 400, 'four loads of 400 points');
    const expected = await postJson('/api/v1/calc/llc-tank', { l_r: 20e-6, c_r: 126.65e-9, l_m: 100e-6, n: 4.1, loads: [2.304], f_min: 30e3, f_max: 300e3 });
    assert.equal(await page.getByTestId('llc-fr').textContent(), `${Number((expected.f_r / 1e3).toPrecision(4))} kHz`);
    assert.equal(await page.getByRole('row').count(), 5, 'a header and one row per load');
    await shot('calc-llc');
  });

  it('LCL calculator sizes the filter and passes its checks', async () => {
    await page.goto(`${server.base}/studio/calculators?tab=lcl`);
    await chartPoints('lcl-chart', 0);
    const expected = await postJson('/api/v1/calc/lcl', { p_rated: 10e3, v_ll: 400, f_grid: 50, f_sw: 16e3, v_dc: 700 });
    assert.equal(await page.getByTestId('lcl-fres').textContent(), `${Number((expected.f_res / 1e3).toPrecision(4))} kHz`);
    for (const check of expected.checks) {
      await page.getByTestId(`lcl-check-${check.name}`).getByText(check.ok ? 'pass' : 'fail', { exact: true }).waitFor();
    }
    await shot('calc-lcl');
  });

  it('motor lab tunes the loops and marks the base speed', async () => {
    await page.goto(`${server.base}/labs/motor`);
    await page.getByTestId('foc-base-speed').waitFor();
    for (const chart of ['foc-current-chart', 'foc-speed-chart', 'foc-envelope-chart']) await chartPoints(chart, 0);
    const request = {
      r_s: 10e-3, l_d: 0.12e-3, l_q: 0.3e-3, psi: 0.05, pole_pairs: 4, j: 0.05, current_bandwidth: 500, speed_bandwidth: 20,
      f_sample: 40e3, i_max: 500, v_dc: 400, i_q_step: 250, speed_step: 3000,
    };
    const expected = await postJson('/api/v1/calc/foc-tuning', request);
    assert.equal(await page.getByTestId('foc-base-speed').textContent(), `${Math.round(expected.base_speed)} rpm`);
    await page.getByText(`base speed ${Math.round(expected.base_speed)} rpm`).waitFor();
    await shot('motor-lab');

    const speedStep = page.getByRole('textbox', { name: /^Speed step/ });
    await speedStep.fill('2000');
    await page.getByRole('button', { name: 'Tune and simulate' }).click();
    await page.getByRole('heading', { name: 'Speed step to 2000 rpm' }).waitFor();

    // Only the server checks that 40 kHz cannot sample 100 000 rpm, and its 422 lands on the field.
    await speedStep.fill('100000');
    await page.getByRole('button', { name: 'Tune and simulate' }).click();
    await page.locator('[data-field="foc.speed_step"]').getByRole('alert').getByText(/^100000 \(accepted: \|speed_step\| up to 63661/).waitFor();
    await shot('motor-lab-error');
  });

  it('PV lab finds a module and marks the MPP', async () => {
    await page.goto(`${server.base}/labs/pv`);
    await page.getByTestId('pv-mpp-power').waitFor();
    const points = await chartPoints('pv-pv-chart', 0);
    assert.equal(points, 5 * 200, 'five irradiance levels of 200 points');
    const expected = await postJson('/api/v1/calc/pv-curve', { module: 'Canadian Solar Inc. CS6K-275M', irradiance: 1000, t_cell: 25, series: 12 });
    assert.equal(await page.getByTestId('pv-mpp-power').textContent(), `${Number((expected.mpp.p / 1e3).toPrecision(4))} kW`);

    await page.getByLabel('Search modules').fill('canadian cs6k-275m');
    await page.getByText(/modules contain every word/).waitFor();
    const found = await api(`/api/v1/pv/modules?q=${encodeURIComponent('canadian cs6k-275m')}&limit=50`);
    await page.waitForFunction((count) => document.querySelectorAll('#pv-module option').length >= count, found.length);
    assert.ok(found.length > 0, 'the search finds the module');
    await shot('pv-lab');
  });

  it('PV lab runs the MPPT test on the EN 50530 ramps', async () => {
    await waitRunsIdle(240_000);
    await page.getByRole('button', { name: 'Run MPPT test' }).click();
    await page.getByTestId('mppt-mppt_efficiency').waitFor({ timeout: 180_000 });
    const chart = page.getByTestId('waveform-chart');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="waveform-chart"]')?.getAttribute('data-points')) > 100);
    const efficiency = Number.parseFloat(await page.getByTestId('mppt-mppt_efficiency').textContent());
    assert.ok(efficiency > 90, `MPPT efficiency ${efficiency} % should be above 90 %`);
    assert.ok(efficiency <= 100, `MPPT efficiency ${efficiency} % cannot exceed 100 %`);
    const runs = await api('/api/v1/runs?limit=200');
    const run = await api(`/api/v1/simulate/run/${runs.find((item) => item.kernel === 'pv_mppt' && item.status === 'done').id}`);
    assert.equal(run.request.design.parameters.profile, 'en50530_ramps');
    assert.ok(Number(await chart.getAttribute('data-points')) > 100);
    await page.waitForTimeout(300);
    await shot('pv-lab-mppt');
  });

  it('part inspector plots the curve sets per Tj', async () => {
    await page.goto(`${server.base}/admin/components`);
    await page.getByRole('link', { name: 'Curves of CREE_C3M0016120K' }).click();
    await page.getByRole('heading', { name: 'CREE_C3M0016120K' }).waitFor();
    const part = await api('/api/v1/parts/CREE_C3M0016120K');
    for (const set of part.curves) {
      const points = await chartPoints(`part-curve-${set.name}`, 0);
      const expected = set.curves.reduce((sum, curve) => sum + curve.points.filter((point) => set.name !== 'coss' || point[1] > 0).length, 0);
      assert.equal(points, expected, `${set.name} draws every datasheet point`);
    }
    assert.equal(await page.getByRole('list', { name: 'Import findings' }).getByRole('listitem').count(), part.findings.length);
    await page.getByText('V_DS [V] against I [A], one curve per junction temperature.').waitFor();
    await shot('part-curves');
  });

  it('unknown part shows a not-found banner', async () => {
    await page.goto(`${server.base}/admin/parts/NO_SUCH_PART`);
    await page.getByRole('alert').getByText('Not found', { exact: true }).waitFor();
  });

  it('labs read well in the dark theme', async () => {
    await page.goto(`${server.base}/studio/calculators`);
    await setTheme('dark');
    await chartPoints('ripple-chart', 90);
    await shot('calc-ripple-dark');
    await page.goto(`${server.base}/studio/calculators?tab=llc`);
    await chartPoints('llc-chart', 0);
    await shot('calc-llc-dark');
    await page.goto(`${server.base}/studio/calculators?tab=lcl`);
    await chartPoints('lcl-chart', 0);
    await shot('calc-lcl-dark');
    await page.goto(`${server.base}/labs/motor`);
    await chartPoints('foc-envelope-chart', 0);
    await shot('motor-lab-dark');
    await page.goto(`${server.base}/labs/pv`);
    await chartPoints('pv-pv-chart', 0);
    await shot('pv-lab-dark');
    await page.goto(`${server.base}/admin/parts/CREE_C3M0016120K`);
    await chartPoints('part-curve-coss', 0);
    await shot('part-curves-dark');
    await setTheme('light');
  });

  it('raised no uncaught page errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
