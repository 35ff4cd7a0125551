// End-to-end tests of accounts against a real `pelab serve`. Sign-in links are read from the
// server log. Covered: sign-in, a used link, an invited viewer who sees disabled controls with
// their reasons, a role change, API tokens, the audit log with its CSV export, and sign-out.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchBrowser } from './browser.mjs';
import { startServer } from './server.mjs';
import { ADMIN_EMAIL, openSignInLink, sessionApi, sessionRequest } from './session.mjs';

const RESULTS = resolve(import.meta.dirname, '..', 'test-results');
const SHOTS = join(RESULTS, 'screenshots');
mkdirSync(SHOTS, { recursive: true });

const VIEWER_EMAIL = 'viewer@example.com';

let server;
let admin;
let viewer;
let page;
let viewerPage;
let api;
const pageErrors = [];
/** The admin's used sign-in link and the invited viewer's link, passed between tests. */
const state = { link: null, viewerLink: null };

/** Takes a screenshot and checks that every visible form control on the page has a label. */
async function shot(target, name, fullPage = false) {
  await target.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
  const unlabeled = await target.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea')]
      .filter((element) => element.type !== 'hidden')
      .filter((element) => !(element.labels?.length > 0 || element.getAttribute('aria-label') || element.getAttribute('aria-labelledby')))
      .map((element) => element.outerHTML.slice(0, 120)),
  );
  assert.deepEqual(unlabeled, [], `form controls without a label on ${name}`);
}

/** Reads the `aria-describedby` text of a control, the reason shown for a disabled one. */
async function description(locator) {
  const ids = (await locator.getAttribute('aria-describedby')) ?? '';
  assert.ok(ids !== '', 'the control names its reason with aria-describedby');
  const page = locator.page();
  const texts = [];
  for (const id of ids.split(' ')) texts.push(await page.locator(`[id="${id}"]`).textContent());
  return texts.join(' ');
}

describe('pelab accounts', { timeout: 600_000 }, () => {
  before(async () => {
    server = await startServer({ logFile: join(RESULTS, 'pelab-serve-auth.log') });
    admin = await launchBrowser();
    viewer = await launchBrowser();
    page = await admin.context.newPage();
    viewerPage = await viewer.context.newPage();
    for (const target of [page, viewerPage]) {
      target.setDefaultTimeout(60_000);
      target.on('pageerror', (error) => pageErrors.push(error.message));
    }
    api = sessionApi(admin.context, server);
  });

  after(async () => {
    await admin?.close();
    await viewer?.close();
    await server?.stop();
  });

  it('sends a signed-out visitor to the login page', async () => {
    const config = await (await fetch(`${server.base}/api/v1/auth/config`)).json();
    assert.equal(config.magic_link, true);
    assert.match(config.admin_hint ?? '', new RegExp(ADMIN_EMAIL), 'the admin hint names the bootstrap admin');

    const me = await fetch(`${server.base}/api/v1/auth/me`);
    assert.equal(me.status, 401);

    await page.goto(`${server.base}/projects`);
    await page.waitForURL((url) => url.pathname === '/login');
    assert.equal(new URL(page.url()).searchParams.get('next'), '/projects');
    await page.getByTestId('admin-hint').getByText(ADMIN_EMAIL).waitFor();
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link').count(), 0, 'no navigation before sign-in');
    await shot(page, 'login');
  });

  it('signs in with the logged link', async () => {
    await page.getByLabel('Email address').fill(ADMIN_EMAIL);
    const mark = server.logMark();
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    // The test server has no mail server, so the page points to the server log.
    await page.getByText('Sign-in link written to the server log').waitFor();
    assert.equal(await page.getByText('Check your inbox').count(), 0, 'no inbox message without a mail server');
    await shot(page, 'login-sent');

    const link = await server.signInLink({ after: mark, email: ADMIN_EMAIL });
    await openSignInLink(page, server, link);
    assert.equal(new URL(page.url()).pathname, '/projects', 'sign-in returns to the page that asked for it');

    const menu = page.getByTestId('user-menu');
    await menu.getByText(ADMIN_EMAIL).waitFor();
    await menu.getByText('Admin', { exact: true }).waitFor();
    await menu.click();
    await page.getByRole('menuitem', { name: 'Audit log' }).waitFor();
    await page.getByRole('menuitem', { name: 'API tokens' }).waitFor();
    await page.getByRole('menuitem', { name: 'Organisation' }).waitFor();
    await shot(page, 'user-menu');
    await page.keyboard.press('Escape');

    const me = await api('/api/v1/auth/me');
    assert.equal(me.user.email, ADMIN_EMAIL);
    assert.equal(me.user.role, 'admin');
    assert.equal(me.auth, 'session');
    state.link = link;
  });

  it('rejects a link that was already used', async () => {
    const other = await admin.context.newPage();
    await other.goto(`${server.base}${state.link}`);
    await other.getByRole('heading', { name: 'Sign-in failed' }).waitFor();
    const detail = await other.getByTestId('verify-error').textContent();
    assert.ok(detail.length > 10, `the problem detail is shown: ${detail}`);
    await other.getByRole('link', { name: 'Request a new link' }).waitFor();
    await shot(other, 'login-link-used');
    await other.close();
  });

  it('admin invites a viewer', async () => {
    await page.goto(`${server.base}/settings/org`);
    await page.getByLabel('Email address to invite').fill(VIEWER_EMAIL);
    await page.getByLabel('Role', { exact: true }).selectOption('viewer');
    const mark = server.logMark();
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByRole('status').getByText('wrote its sign-in link to the server log').waitFor();
    await page.getByRole('table', { name: 'Invitations' }).getByRole('cell', { name: VIEWER_EMAIL, exact: true }).waitFor();
    const invitations = await api('/api/v1/invitations');
    const invitation = invitations.find((item) => item.email === VIEWER_EMAIL);
    assert.ok(invitation, 'the invitation is stored');
    assert.equal(invitation.role, 'viewer');
    state.viewerLink = await server.signInLink({ after: mark, email: VIEWER_EMAIL });
    await shot(page, 'org-settings', true);
  });

  it('viewer sees disabled controls with reasons', async () => {
    await openSignInLink(viewerPage, server, state.viewerLink);
    await viewerPage.getByTestId('user-menu').getByText('Viewer', { exact: true }).waitFor();

    await viewerPage.goto(`${server.base}/projects`);
    const newProject = viewerPage.getByRole('button', { name: 'New project' });
    assert.equal(await newProject.isDisabled(), true);
    assert.match(await description(newProject), /Viewers cannot create or change projects; ask an admin for the Engineer role/);
    await viewerPage.getByText('Viewers cannot create or change projects').waitFor();
    await shot(viewerPage, 'viewer-projects');

    // A demo project: the Simulation tab's run button is disabled with the reason next to it.
    const projects = await sessionApi(viewer.context, server)('/api/v1/projects');
    assert.ok(projects.length > 0, 'the demo projects are visible to viewers');
    await viewerPage.goto(`${server.base}/projects/${projects[0].id}?tab=simulation`);
    const run = viewerPage.getByRole('button', { name: 'Run simulation' });
    await run.waitFor();
    assert.equal(await run.isDisabled(), true);
    assert.match(await description(run), /Viewers cannot run simulations; ask an admin for the Engineer role/);
    await shot(viewerPage, 'viewer-simulation');

    // The design list's Simulate button follows the same rule.
    await viewerPage.goto(`${server.base}/projects/${projects[0].id}?tab=design`);
    const simulate = viewerPage.getByRole('button', { name: 'Simulate', exact: true }).first();
    await simulate.waitFor();
    assert.equal(await simulate.isDisabled(), true);
    assert.match(await description(simulate), /Viewers cannot run simulations; ask an admin for the Engineer role/);
    await shot(viewerPage, 'viewer-designs');

    // Token scopes above the role are disabled with the reason.
    await viewerPage.goto(`${server.base}/settings/tokens`);
    await viewerPage.getByText('No tokens yet.').waitFor();
    assert.equal(await viewerPage.getByRole('checkbox', { name: 'read', exact: true }).isDisabled(), false);
    for (const scope of ['write', 'telemetry', 'admin']) {
      const box = viewerPage.getByRole('checkbox', { name: scope, exact: true });
      assert.equal(await box.isDisabled(), true, `a viewer cannot give the ${scope} scope`);
      assert.match(await description(box), new RegExp(`The ${scope} scope needs the (Engineer|Admin) role`));
    }
    await shot(viewerPage, 'viewer-tokens', true);

    // A malformed project id is a 400, which another try cannot fix.
    await viewerPage.goto(`${server.base}/projects/nope`);
    await viewerPage.getByRole('alert').first().waitFor();
    assert.equal(await viewerPage.getByRole('button', { name: 'Retry' }).count(), 0, 'no Retry for a 400');
    await shot(viewerPage, 'project-bad-id');

    await viewerPage.goto(`${server.base}/admin/components`);
    const newComponent = viewerPage.getByRole('button', { name: 'New component' });
    assert.equal(await newComponent.isDisabled(), true);
    assert.equal(await viewerPage.getByRole('button', { name: 'Import' }).isDisabled(), true);
    assert.match(await description(newComponent), /Viewers cannot change the component library; ask an admin for the Admin role/);

    await viewerPage.goto(`${server.base}/settings/org`);
    await viewerPage.getByText('Viewers cannot manage members').waitFor();
    assert.equal(await viewerPage.getByRole('combobox', { name: `Role of ${ADMIN_EMAIL}` }).count(), 0, 'no role select for viewers');
    await shot(viewerPage, 'viewer-org');

    // The server enforces what the UI shows.
    const denied = await sessionRequest(viewer.context, server, '/api/v1/projects', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'not allowed', domain: 'EV' }),
    });
    assert.equal(denied.status(), 403);
  });

  it('admin changes the viewer to engineer', async () => {
    await page.goto(`${server.base}/settings/org`);
    const own = page.getByRole('combobox', { name: `Role of ${ADMIN_EMAIL}` });
    await own.waitFor();
    assert.equal(await own.isDisabled(), true, 'the last admin cannot be demoted');
    assert.match(await description(own), /last admin cannot be demoted or removed/);
    assert.equal(await page.getByRole('button', { name: `Remove ${ADMIN_EMAIL}` }).isDisabled(), true, 'the last admin cannot be removed');

    const select = page.getByRole('combobox', { name: `Role of ${VIEWER_EMAIL}` });
    await select.selectOption('engineer');
    await page.getByTestId('members-status').getByText(`Role of ${VIEWER_EMAIL} changed to Engineer.`).waitFor();
    await shot(page, 'org-role-changed', true);
    const deadline = Date.now() + 15_000;
    let member;
    while (Date.now() < deadline) {
      member = (await api('/api/v1/members')).find((item) => item.email === VIEWER_EMAIL);
      if (member?.role === 'engineer') break;
      await new Promise((done) => setTimeout(done, 200));
    }
    assert.equal(member?.role, 'engineer');

    await viewerPage.goto(`${server.base}/projects`);
    await viewerPage.getByTestId('user-menu').getByText('Engineer', { exact: true }).waitFor();
    assert.equal(await viewerPage.getByRole('button', { name: 'New project' }).isDisabled(), false);
  });

  it('creates, uses and revokes an API token', async () => {
    await page.goto(`${server.base}/settings/tokens`);
    await page.getByLabel('Token name').fill('e2e bench logger');
    await page.getByLabel('read').check();
    await page.getByRole('button', { name: 'Create token' }).click();
    const secretField = page.getByLabel('Secret', { exact: true });
    await secretField.waitFor();
    const secret = await secretField.inputValue();
    assert.match(secret, /^pelab_/);
    await shot(page, 'token-secret');
    await page.getByRole('button', { name: 'I have copied the secret' }).click();
    await page.getByRole('cell', { name: 'e2e bench logger', exact: true }).waitFor();

    const asToken = await fetch(`${server.base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${secret}` } });
    assert.equal(asToken.status, 200);
    assert.equal((await asToken.json()).auth, 'api_token');

    page.once('dialog', (dialog) => dialog.accept());
    await page.getByRole('button', { name: 'Revoke e2e bench logger' }).click();
    await page.getByText('revoked').waitFor();
    const revoked = await fetch(`${server.base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${secret}` } });
    assert.equal(revoked.status, 401);
  });

  it('audit page lists entries and exports CSV', async () => {
    await page.goto(`${server.base}/admin/audit`);
    await page.getByTestId('audit-row').first().waitFor();
    const rows = await page.getByTestId('audit-row').count();
    const entries = await api('/api/v1/audit?limit=500');
    assert.equal(rows, entries.length);
    assert.match(await page.getByTestId('audit-row').first().textContent(), /\d{1,2}:\d{2}:\d{2}/, 'times show seconds');
    assert.ok(entries.some((entry) => entry.actor === ADMIN_EMAIL || String(entry.actor).includes('admin')), 'the admin appears as an actor');
    await shot(page, 'audit', true);

    await page.getByLabel('Actor').fill(ADMIN_EMAIL);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL((url) => url.searchParams.get('actor') === ADMIN_EMAIL);
    // The link is rendered from the new URL one React update after the navigation.
    await page.waitForFunction(() => document.querySelector('a[download][href^="/api/v1/audit.csv"]')?.getAttribute('href')?.includes('actor='));
    const href = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    assert.match(href, /^\/api\/v1\/audit\.csv\?/);
    assert.equal(new URL(href, server.base).searchParams.get('actor'), ADMIN_EMAIL);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    const file = join(RESULTS, 'audit.csv');
    await download.saveAs(file);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    assert.ok(lines.length >= 2, `the CSV has a header and rows: ${lines.slice(0, 3).join(' | ')}`);
    assert.match(lines[0], /action/);
  });

  it('signs out', async () => {
    await page.goto(`${server.base}/`);
    await page.getByTestId('user-menu').click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    const me = await sessionRequest(admin.context, server, '/api/v1/auth/me');
    assert.equal(me.status(), 401);
    await page.goto(`${server.base}/settings/org`);
    await page.waitForURL((url) => url.pathname === '/login');
    assert.equal(new URL(page.url()).searchParams.get('next'), '/settings/org');
  });

  it('raised no uncaught page errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
