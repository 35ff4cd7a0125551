// End-to-end tests of the Analytics tab's loss sunburst, THD bars, power-factor gauge,
// load sweep and thermal map, and of the component import, against a real `pelab serve`
// with its seeded demo runs. Screenshots go to test-results/screenshots/.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/** Takes a full-page screenshot and checks that every visible form control has a label. */
async function shot(name, fullPage = true) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
  const unlabeled = await page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea')]
      .filter((element) => element.type !== 'hidden')
      .filter((element) => !(element.labels?.length > 0 || element.getAttribute('aria-label') || element.getAttribute('aria-labelledby')))
      .map((element) => element.outerHTML.slice(0, 120)),
  );
  assert.deepEqual(unlabeled, [], `form controls without a label on ${name}`);
}

async function setTheme(theme) {
  const dark = await page.evaluate(() => document.documentElement.classList.contains('dark'));
  if ((theme === 'dark') !== dark) await page.getByRole('button', { name: `Switch to ${theme} theme` }).click();
}

/** Waits until the seeded demo runs have finished and returns them. */
async function waitRunsIdle(timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const runs = await api('/api/v1/runs?limit=200');
    if (runs.length > 0 && runs.every((run) => run.status !== 'queued' && run.status !== 'running')) return runs;
    await new Promise((done) => setTimeout(done, 1000));
  }
  throw new Error(`runs still active after ${timeoutMs / 1000} s`);
}

/** Opens the Analytics tab of the project that owns the run of `kernel`, with that run selected. */
async function openAnalytics(runs, kernel) {
  const run = runs.find((item) => item.kernel === kernel && item.status === 'done');
  assert.ok(run, `a finished ${kernel} run is seeded`);
  await page.goto(`${server.base}/projects/${run.project_id}?tab=analytics`);
  const select = page.getByLabel('Finished run');
  await select.waitFor();
  await select.selectOption(run.id);
  return run;
}

describe('pelab analytics and component import', { timeout: 600_000 }, () => {
  let runs;

  before(async () => {
    server = await startServer({ logFile: join(RESULTS, 'pelab-serve-analytics.log') });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.setDefaultTimeout(90_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await signIn(page, server);
    api = sessionApi(browser.context, server);
    runs = await waitRunsIdle(240_000);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('draws the loss sunburst and thermal map of the DC fast charger', async () => {
    await setTheme('light');
    await openAnalytics(runs, 'buck');
    const sunburst = page.getByTestId('loss-sunburst');
    await sunburst.waitFor();
    // Two devices inside; S1 conduction + switching and S2 conduction outside.
    const sectors = await sunburst.locator('.recharts-pie-sector').count();
    assert.ok(sectors >= 5, `the sunburst draws both rings, found ${sectors} sectors`);
    const label = await sunburst.getAttribute('aria-label');
    assert.match(label, /S1 Conduction/);
    assert.match(label, /S1 Switching/);
    await page.getByText('Loss breakdown as a table').click();
    await page.getByRole('cell', { name: 'Conduction' }).first().waitFor();
    const tiles = page.getByTestId('thermal-map').locator('li');
    assert.equal(await tiles.count(), 2);
    assert.match(await tiles.first().innerText(), /S1[\s\S]*\d+\.\d °C/);
    // The existing stacked loss bars stay.
    await page.getByText('Semiconductor losses per device').waitFor();
    await shot('analytics-sunburst');
    await setTheme('dark');
    await shot('analytics-sunburst-dark');
    await setTheme('light');
  });

  it('shows grid-tie THD bars and power-factor gauge', async () => {
    const run = await openAnalytics(runs, 'grid_tie');
    const thd = page.getByTestId('thd-chart');
    await thd.waitFor();
    assert.ok((await thd.locator('.recharts-bar-rectangle').count()) >= 1, 'THD bars are drawn');
    await thd.getByText('IEEE 519 reference 5 %').waitFor();
    const gauge = page.getByTestId('pf-gauge');
    await gauge.waitFor();
    const detail = await api(`/api/v1/simulate/run/${run.id}`);
    const pf = detail.summary.result.metrics.find((metric) => metric.name === 'pf').value;
    await gauge.getByText(pf.toFixed(3), { exact: true }).waitFor();
    assert.ok((await gauge.locator('.recharts-pie-sector').count()) >= 1, 'the gauge draws its arc');
    await shot('analytics-grid-tie');
    await setTheme('dark');
    await shot('analytics-grid-tie-dark');
    await setTheme('light');
  });

  it('sweeps the load of the interleaved boost and plots efficiency against output power', async () => {
    await openAnalytics(runs, 'interleaved_boost');
    const posts = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/v1/simulate/sweep') posts.push(request.postDataJSON());
    });
    await page.getByRole('button', { name: 'Sweep load' }).click();
    await page.getByTestId('sweep-progress').waitFor();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="sweep-chart"]')?.getAttribute('data-points') ?? 0) >= 3, null, {
      timeout: 240_000,
    });
    await page.getByText(/Sweep finished/).waitFor({ timeout: 240_000 });
    assert.equal(posts.length, 1);
    assert.equal(posts[0].parameter, 'parameters.r_load');
    assert.ok(posts[0].values.length >= 5, `${posts[0].values.length} values, expected at least 5`);
    assert.ok(posts[0].values.length <= 8, `${posts[0].values.length} values, expected at most 8`);
    assert.ok(posts[0].base.design_id, 'the sweep starts from the stored design');
    const chart = page.getByTestId('sweep-chart');
    const points = Number(await chart.getAttribute('data-points'));
    assert.ok(points >= 3, `${points} sweep points plotted`);
    assert.ok((await chart.locator('path.recharts-curve').count()) > 0, 'the sweep chart draws its line');
    await chart.getByText('Output power [W]').waitFor();
    await shot('analytics-sweep');
  });

  it('imports components from a JSON file, reporting duplicates and invalid items', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pelab-import-'));
    const file = join(dir, 'parts.json');
    writeFileSync(
      file,
      JSON.stringify([
        { kind: 'mosfet', vendor: 'Wolfspeed', pn: 'E2E-IMPORT-1', params: { v_ds_max: 1200, r_ds_on: 0.016 } },
        { kind: 'capacitor', vendor: 'TDK', pn: 'E2E-IMPORT-2', params: { c: 1e-4 } },
        { kind: 'transistor', vendor: 'Nobody', pn: 'E2E-BAD', params: {} },
      ]),
    );
    await page.goto(`${server.base}/admin/components`);
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByLabel('JSON file').setInputFiles(file);
    const preview = page.getByTestId('import-preview');
    await preview.getByText(/kind must be one of/).waitFor();
    await page.getByRole('button', { name: 'Import 2 components' }).click();
    await page.getByText('2 imported.').waitFor();
    // The dialog's overlay covers the viewport only, so these shots are not full-page.
    await shot('components-import', false);
    const library = await api('/api/v1/components');
    assert.deepEqual(library.map((item) => item.pn).sort(), ['E2E-IMPORT-1', 'E2E-IMPORT-2']);

    // The same file again: both valid items are duplicates now.
    await page.getByLabel('JSON file').setInputFiles(file);
    await page.getByRole('button', { name: 'Import 2 components' }).click();
    await page.getByText('2 duplicate.').waitFor();
    assert.equal(await preview.getByText('Duplicate').count(), 2);
    await shot('components-import-duplicates', false);
    await page.getByRole('button', { name: 'Close' }).first().click();
    await page.getByRole('cell', { name: 'E2E-IMPORT-2', exact: true }).waitFor();
  });

  it('raised no uncaught page errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
