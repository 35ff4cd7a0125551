// End-to-end tests of the built UI served by a real `pelab serve`, driven through Debian's
// Chromium. Screenshots of the main pages go to test-results/screenshots/, the chart
// frame times to test-results/chart-bench.json.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
const state = { projectId: null, runId: null };

/** Calls the API with the signed-in browser's session; set in before(). */
let api;

/** Waits until no run of the server is queued or running (the seeded demo runs included). */
async function waitRunsIdle(timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const runs = await api('/api/v1/runs?limit=200');
    if (runs.length > 0 && runs.every((run) => run.status !== 'queued' && run.status !== 'running')) return runs;
    await new Promise((done) => setTimeout(done, 1000));
  }
  throw new Error(`runs still active after ${timeoutMs / 1000} s`);
}

/** Takes a screenshot and checks that every visible form control on the page has a label. */
async function shot(name, fullPage = false) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
  const unlabeled = await page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea')]
      .filter((element) => element.type !== 'hidden')
      .filter((element) => !(element.labels?.length > 0 || element.getAttribute('aria-label') || element.getAttribute('aria-labelledby')))
      .map((element) => element.outerHTML.slice(0, 120)),
  );
  assert.deepEqual(unlabeled, [], `form controls without a label on ${name}`);
}

/** Waits until the chart has drawn `points` buckets per signal; redraws follow chunks by one frame. */
async function waitForPoints(points) {
  const read = () => document.querySelector('[data-testid="waveform-chart"]')?.getAttribute('data-points');
  try {
    await page.waitForFunction((expected) => document.querySelector('[data-testid="waveform-chart"]')?.getAttribute('data-points') === String(expected), points, {
      timeout: 15_000,
    });
  } catch {
    assert.fail(`the chart should draw ${points} points per signal, it shows ${await page.evaluate(read)}`);
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

describe('pelab web UI', { timeout: 600_000 }, () => {
  before(async () => {
    server = await startServer({ logFile: join(RESULTS, 'pelab-serve.log') });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    // Generous waits: CI shares its 2 cores with the server's simulation worker and the browser.
    page.setDefaultTimeout(90_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await signIn(page, server);
    api = sessionApi(browser.context, server);
    // The seeded demo runs are computed by the worker first; the overview shows their results.
    const runs = await waitRunsIdle(240_000);
    assert.equal(runs.filter((run) => run.status === 'done').length, 9, 'the 9 seeded demo runs should finish');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('overview shows the five areas with their demo projects', async () => {
    await page.goto(`${server.base}/`);
    for (const area of ['ev-traction', 'obc', 'dcfc', 'pv', 'grid-tie']) {
      const card = page.getByTestId(`area-${area}`);
      await card.getByText('done').waitFor();
      assert.ok(await card.getByRole('link', { name: /Open/ }).isVisible(), `${area} card has an open link`);
    }
    await page.getByTestId('area-dcfc').getByText('Efficiency').waitFor();
    const footer = await page.getByRole('note', { name: 'High-voltage safety notice' }).textContent();
    assert.match(footer, /qualified personnel/);
    await shot('overview');
  });

  it('keyboard reaches the navigation with a visible focus ring', async () => {
    await page.goto(`${server.base}/`);
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const element = document.activeElement;
      return { text: element?.textContent?.trim(), outline: element ? getComputedStyle(element).outlineStyle : 'none' };
    });
    assert.equal(focused.text, 'Overview');
    assert.notEqual(focused.outline, 'none');
  });

  it('unknown project shows a not-found banner', async () => {
    await page.goto(`${server.base}/projects/01a24577-0000-7000-8000-000000000000`);
    await page.getByRole('alert').getByText('Not found', { exact: true }).waitFor();
  });

  it('creates a project and an interleaved-boost design from the wizard', async () => {
    await page.goto(`${server.base}/projects`);
    await page.getByRole('button', { name: 'New project' }).click();
    await page.getByLabel('Name').fill('E2E charger front end');
    await page.getByLabel('Domain').selectOption('EV');
    await shot('project-create');
    await page.getByRole('button', { name: 'Create project' }).click();

    await page.getByRole('heading', { name: /1\. Choose a topology/ }).waitFor();
    state.projectId = new URL(page.url()).pathname.split('/').pop();
    await page.getByRole('button', { name: /Interleaved boost/ }).click();
    const inductance = page.getByLabel(/^Nominal inductance/);
    await inductance.waitFor();
    assert.equal(await inductance.inputValue(), '400e-6');

    // An out-of-range value is refused in the browser and never sent.
    await inductance.fill('-1');
    await page.getByRole('button', { name: 'Save design' }).click();
    await page.getByText('-1 is out of range: accepted > 0 and ≤ 10 H').waitFor();
    assert.equal((await api(`/api/v1/projects/${state.projectId}/designs`)).length, 0);
    await shot('design-wizard-error');

    await inductance.fill('400u');
    await page.getByLabel('Design name').fill('Interleaved boost 250 V to 400 V');
    await page.getByRole('button', { name: 'Save design' }).click();
    await page.getByText('Design “Interleaved boost 250 V to 400 V” saved.').waitFor();
    const designs = await api(`/api/v1/projects/${state.projectId}/designs`);
    assert.equal(designs.length, 1);
    assert.equal(designs[0].topology, 'interleaved_boost');
    await shot('design-list');
    await page.goto(`${server.base}/projects/${state.projectId}?tab=design&wizard=pmsm_drive`);
    await page.getByLabel('Design name').waitFor();
    await shot('design-wizard-pmsm', true);
    await page.goto(`${server.base}/projects/${state.projectId}?tab=design`);
  });

  it('runs the design and draws live chunks as they arrive', async () => {
    await page.getByRole('button', { name: 'Simulate' }).click();
    await page.getByRole('combobox', { name: 'Design', exact: true }).selectOption({ label: 'Interleaved boost 250 V to 400 V (interleaved_boost)' });
    // Record every change of the chart's point count and of the stream state in the page,
    // so fast runs are measured as well as slow ones.
    await page.evaluate(() => {
      window.__pelabGrowth = [];
      const observer = new MutationObserver(() => {
        const chart = document.querySelector('[data-testid="waveform-chart"]');
        const stream = document.querySelector('[data-testid="stream-state"]');
        const points = Number(chart?.getAttribute('data-points') ?? 0);
        const ended = (stream?.textContent ?? '').startsWith('ended');
        const last = window.__pelabGrowth[window.__pelabGrowth.length - 1];
        if (!last || last.points !== points || last.ended !== ended) window.__pelabGrowth.push({ points, ended });
      });
      observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    await page.getByRole('button', { name: 'Run simulation' }).click();

    const chart = page.getByTestId('waveform-chart');
    await page.getByTestId('stream-state').getByText(/^ended/).waitFor({ timeout: 180_000 });
    const growth = await page.evaluate(() => window.__pelabGrowth);
    const live = [...new Set(growth.filter((entry) => !entry.ended && entry.points > 0).map((entry) => entry.points))];
    console.log(`# chart points per signal while the run streamed: ${live.join(' → ')}`);
    assert.ok(live.length >= 2, `the chart should grow at least twice before the run ends, saw ${JSON.stringify(growth)}`);
    for (let i = 1; i < live.length; i += 1) {
      assert.ok(live[i] > live[i - 1], `points must only grow: ${live.join(', ')}`);
    }
    // The stream carries 4000 buckets per signal by default.
    await waitForPoints(4000);

    const runs = await api(`/api/v1/runs?project_id=${state.projectId}`);
    assert.equal(runs.length, 1);
    state.runId = runs[0].id;
    const chunks = Number(/(\d+) chunks/.exec(await page.getByTestId('stream-state').textContent())?.[1]);
    assert.ok(chunks > 3, `the run streamed ${chunks} chunks, enough to cut the stream after 3 in the next test`);
    assert.equal(runs[0].status, 'done');
    await page.getByRole('link', { name: 'Export CSV' }).waitFor();
    await chart.hover();
    await page.getByTestId('chart-readout').getByText(/t = /).waitFor();
    await shot('simulation');
  });

  it('resumes a dropped stream from the next chunk', async () => {
    // Relay the stream through Playwright and cut the first socket after 3 chunks.
    const urls = [];
    let dropped = false;
    await page.routeWebSocket(/\/api\/v1\/simulate\/stream\//, (socket) => {
      urls.push(socket.url());
      const upstream = socket.connectToServer();
      let chunks = 0;
      upstream.onMessage((message) => {
        socket.send(message);
        if (!dropped && JSON.parse(String(message)).type === 'chunk') {
          chunks += 1;
          if (chunks === 3) {
            dropped = true;
            upstream.close();
            socket.close({ code: 4001, reason: 'dropped by the test' });
          }
        }
      });
    });

    try {
      await page.getByRole('button', { name: 'Run simulation' }).click();

      // Wait for the end of the new run's stream, not the ended state still shown for the first run.
      await page.waitForFunction(
        (previous) => {
          const runId = document.querySelector('[data-testid="run-id"]')?.textContent;
          const stream = document.querySelector('[data-testid="stream-state"]')?.textContent ?? '';
          return runId !== undefined && runId !== previous && stream.startsWith('ended');
        },
        state.runId,
        { timeout: 180_000 },
      );
    } finally {
      await page.unrouteAll({ behavior: 'wait' });
    }

    const runs = await api(`/api/v1/runs?project_id=${state.projectId}`);
    assert.equal(runs.length, 2);
    state.runId = runs.find((run) => run.id !== state.runId).id;

    assert.ok(dropped, 'the first socket was cut');
    assert.equal(urls.length, 2, `one reconnect expected, saw ${urls.join(', ')}`);
    assert.doesNotMatch(urls[0], /from=/);
    assert.match(urls[1], /\?from=3$/);
    // The chunk count varies from run to run, but the buckets do not: 4000 means none was lost or doubled.
    await waitForPoints(4000);
  });

  it('exports the run as CSV', async () => {
    const run = await api(`/api/v1/simulate/run/${state.runId}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    const file = join(RESULTS, 'run.csv');
    await download.saveAs(file);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    assert.match(lines[0], /^time\[s\],/);
    assert.ok(lines[0].includes('v(out)[V]'), `header: ${lines[0]}`);
    assert.equal(lines.length - 1, run.samples, 'one row per recorded sample');
    assert.ok(run.samples > 1000);
  });

  it('serves the PDF report', async () => {
    const href = await page.getByRole('link', { name: 'PDF report' }).getAttribute('href');
    const response = await page.request.get(`${server.base}${href}`);
    assert.equal(response.status(), 200);
    assert.match(response.headers()['content-type'], /^application\/pdf/);
    const body = await response.body();
    assert.equal(body.subarray(0, 4).toString('latin1'), '%PDF');
  });

  it('zooms the waveform with the keyboard', async () => {
    const chart = page.getByTestId('waveform-chart');
    await chart.focus();
    const range = async () => (await chart.getAttribute('data-x-range')).split(' ').map(Number);
    const [min0, max0] = await range();
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    await page.waitForTimeout(100);
    const [min1, max1] = await range();
    assert.ok(max1 - min1 < 0.7 * (max0 - min0), `two zoom steps narrow the window: ${min0}..${max0} to ${min1}..${max1}`);
    await page.keyboard.press('ArrowRight');
    await page.waitForTimeout(100);
    const [min2, max2] = await range();
    assert.ok(min2 > min1, 'the right arrow pans to later times');
    assert.ok(Math.abs(max2 - min2 - (max1 - min1)) < 1e-9 * max0, 'panning keeps the width');
    await page.keyboard.press('0');
    await page.waitForTimeout(100);
    const [min3, max3] = await range();
    assert.deepEqual([min3, max3], [min0, max0], '0 shows the whole run again');
  });

  it('loads finer data for a zoomed stored run', async () => {
    // After a reload the finished run comes from /runs/{id}/waveforms (2000 buckets per signal).
    await page.reload();
    const chart = page.getByTestId('waveform-chart');
    await waitForPoints(2000);
    await chart.focus();
    for (let i = 0; i < 4; i += 1) await page.keyboard.press('+');
    // The window's 2000 buckets replace the overview's buckets inside it.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="waveform-chart"]')?.getAttribute('data-points')) > 2500);
    await page.keyboard.press('0');
    await waitForPoints(2000);
  });

  it('shows telemetry of the run', async () => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    const samples = Array.from({ length: 2000 }, (_, i) => ({
      signal: 'v_dc',
      time: new Date(start + i * 10).toISOString(),
      value: 400 + 5 * Math.sin(i / 50),
    }));
    await api(`/api/v1/runs/${state.runId}/telemetry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ samples }),
    });
    await page.getByRole('tab', { name: 'Telemetry' }).click();
    await page.getByLabel('Run', { exact: true }).selectOption(state.runId);
    await page.getByText('2,000 samples').waitFor();
    const points = Number(await page.getByTestId('waveform-chart').getAttribute('data-points'));
    assert.ok(points > 100, `telemetry chart has ${points} buckets`);
    await shot('telemetry');
  });

  it('shows losses and efficiency in analytics', async () => {
    await page.goto(`${server.base}/`);
    await page.getByRole('link', { name: /Open DC Fast Charge/ }).click();
    await page.getByRole('tab', { name: 'Analytics', selected: true }).waitFor();
    await page.getByText('Semiconductor losses per device').waitFor();
    await page.getByText('Junction temperature per device').waitFor();
    const bars = await page.locator('.recharts-bar-rectangle').count();
    assert.ok(bars >= 4, `loss and Tj charts draw bars, found ${bars}`);
    await shot('analytics', true);
  });

  it('manages the component library', async () => {
    await page.goto(`${server.base}/admin/components`);
    await page.getByRole('button', { name: 'New component' }).click();
    await page.getByLabel('Manufacturer').fill('Wolfspeed');
    await page.getByLabel('Part number').fill('E2E-C3M0016120K');
    await page.getByLabel('Parameters (JSON object, SI units)').fill('[1, 2]');
    await page.getByRole('button', { name: 'Save component' }).click();
    await page.getByText('params must be a JSON object').waitFor();
    await page.getByLabel('Parameters (JSON object, SI units)').fill('{"v_ds_max": 1200, "r_ds_on": 0.016}');
    await page.getByRole('button', { name: 'Save component' }).click();
    await page.getByRole('cell', { name: 'E2E-C3M0016120K', exact: true }).waitFor();

    await page.getByRole('button', { name: 'Edit E2E-C3M0016120K' }).click();
    await page.getByLabel('Manufacturer').fill('Wolfspeed Inc.');
    await page.getByRole('button', { name: 'Save component' }).click();
    await page.getByRole('cell', { name: 'Wolfspeed Inc.', exact: true }).waitFor();
    const parts = await page.locator('tbody').nth(1).locator('tr').count();
    assert.ok(parts > 0, 'the built-in parts are listed');
    await shot('components');

    page.once('dialog', (dialog) => dialog.accept());
    await page.getByRole('button', { name: 'Delete E2E-C3M0016120K' }).click();
    await page.getByRole('cell', { name: 'E2E-C3M0016120K', exact: true }).waitFor({ state: 'detached' });
    assert.equal((await api('/api/v1/components')).length, 0);
  });

  it('design studio lists every kernel', async () => {
    await page.goto(`${server.base}/studio`);
    await page.getByRole('button', { name: 'New Interleaved boost design' }).waitFor();
    const kernels = await api('/api/v1/kernels');
    assert.equal(await page.getByRole('button', { name: /^New .* design$/ }).count(), kernels.length);
    await shot('studio');
  });

  it('keeps the dark theme across a reload', async () => {
    await page.goto(`${server.base}/`);
    const dark = () => page.evaluate(() => document.documentElement.classList.contains('dark'));
    if (await dark()) await page.getByRole('button', { name: 'Switch to light theme' }).click();
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    assert.equal(await dark(), true);
    await page.reload();
    assert.equal(await dark(), true);
    await page.getByTestId('area-obc').getByText('Efficiency').waitFor();
    await shot('overview-dark');
    await page.goto(`${server.base}/projects/${state.projectId}?tab=simulation`);
    await page.getByTestId('waveform-chart').waitFor();
    await page.waitForTimeout(500);
    await shot('simulation-dark');
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
  });

  it('measures pan and zoom frame times on a 1,000,000-point chart', async () => {
    await page.goto(`${server.base}/dev/chart-bench?points=1000000`);
    const chart = page.getByTestId('waveform-chart');
    await chart.waitFor();
    assert.equal(await chart.getAttribute('data-points'), '1000000');
    await page.waitForTimeout(500);
    await shot('chart-bench');

    const box = await chart.locator('.u-over').boundingBox();
    assert.ok(box, 'the plot area is on the page');
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    await page.evaluate(() => {
      window.__pelabChartDraws = [];
      window.__pelabFrames = [];
      let last = performance.now();
      const tick = (now) => {
        window.__pelabFrames.push(now - last);
        last = now;
        if (window.__pelabFrames.length < 100_000) window.__pelabFrameHandle = requestAnimationFrame(tick);
      };
      window.__pelabFrameHandle = requestAnimationFrame(tick);
    });
    await page.mouse.move(x, y);
    for (let i = 0; i < 15; i += 1) {
      await page.mouse.wheel(0, -120);
      await page.waitForTimeout(30);
    }
    await page.keyboard.down('Shift');
    await page.mouse.down();
    for (let i = 0; i < 40; i += 1) await page.mouse.move(x - i * 8, y);
    await page.mouse.up();
    await page.keyboard.up('Shift');
    for (let i = 0; i < 15; i += 1) {
      await page.mouse.wheel(0, 120);
      await page.waitForTimeout(30);
    }
    await page.waitForTimeout(200);
    const zoomed = await page.evaluate(() => {
      const draws = window.__pelabChartDraws;
      window.__pelabChartDraws = [];
      return draws;
    });

    // Pan with the whole run in view: every redraw walks all 1,000,000 points per signal.
    await chart.focus();
    await page.keyboard.press('0');
    await page.evaluate(() => (window.__pelabChartDraws = []));
    for (let i = 0; i < 30; i += 1) {
      await page.keyboard.press(i % 2 === 0 ? 'ArrowRight' : 'ArrowLeft');
      await page.waitForTimeout(20);
    }
    await page.waitForTimeout(200);
    const result = await page.evaluate(() => {
      cancelAnimationFrame(window.__pelabFrameHandle);
      return { full: window.__pelabChartDraws, frames: window.__pelabFrames.slice(1) };
    });
    const summary = (values) => {
      const sorted = [...values].sort((a, b) => a - b);
      return { count: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted[sorted.length - 1] };
    };
    const report = {
      points: 1_000_000,
      signals: 2,
      viewport: '1366x768',
      redrawMsWhileZoomingAndPanning: summary(zoomed),
      redrawMsPanningFullView: summary(result.full),
      frameIntervalMs: summary(result.frames),
    };
    writeFileSync(join(RESULTS, 'chart-bench.json'), `${JSON.stringify(report, null, 2)}\n`);
    const line = (name, item) => `${name}: p50 ${item.p50.toFixed(1)} ms, p95 ${item.p95.toFixed(1)} ms (${item.count})`;
    console.log(
      `# 1,000,000-point chart: ${line('redraw while zooming and panning', report.redrawMsWhileZoomingAndPanning)}; ` +
        `${line('redraw panning the full view', report.redrawMsPanningFullView)}; ${line('frame interval', report.frameIntervalMs)}`,
    );
    assert.ok(result.full.length >= 20, `full-view panning should redraw the chart, got ${result.full.length} redraws`);
    assert.ok(zoomed.length >= 20, `pan and zoom should redraw the chart, got ${zoomed.length} redraws`);
  });

  it('raised no uncaught page errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
