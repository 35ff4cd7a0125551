// End-to-end test of organisations against a real `pelab serve`: the admin creates an
// organisation, switches to it from the organisation page, finds it empty, and switches back
// to the demo organisation from the account menu.
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

const NEW_ORG = 'E2E bench team';

let server;
let browser;
let page;
let api;
const pageErrors = [];

/** Opens the account menu and returns it. */
async function openMenu() {
  await page.getByTestId('user-menu').click();
  const menu = page.getByRole('menu');
  await menu.waitFor();
  return menu;
}

/**
 * Opens the project list through the navigation and returns the project names. It does not
 * reload the page, so projects cached from the previous organisation would show up here.
 */
async function projectNames() {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Projects', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/projects');
  const table = page.getByRole('table');
  await table.waitFor();
  // The rows are links, except for the one row of an empty list.
  await page.waitForFunction(() => document.querySelector('tbody tr') !== null);
  return table.locator('tbody a').allTextContents();
}

describe('pelab organisations', { timeout: 600_000 }, () => {
  before(async () => {
    server = await startServer({ logFile: join(RESULTS, 'pelab-serve-orgs.log') });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.setDefaultTimeout(60_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    api = sessionApi(browser.context, server);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('creates an organisation, switches to it and back', async () => {
    await signIn(page, server);
    const home = (await api('/api/v1/auth/me')).org;
    const demoProjects = (await api('/api/v1/projects')).map((project) => project.name).sort();
    assert.ok(demoProjects.length > 0, 'a new data directory has demo projects');
    assert.deepEqual((await projectNames()).sort(), demoProjects);

    // One organisation: the menu has no switcher.
    let menu = await openMenu();
    assert.equal(await menu.getByText('Switch organisation').count(), 0);
    await page.keyboard.press('Escape');

    // An empty name is rejected in the page, before any request.
    await page.goto(`${server.base}/settings/org`);
    const nameInput = page.getByLabel('Name of the new organisation');
    await page.getByRole('button', { name: 'Create organisation' }).click();
    await page.getByText('Enter a name for the organisation.').waitFor();

    // The server rejects control characters with a 422 that names the field, shown at the input.
    await nameInput.fill('Bad\u0007name');
    await page.getByRole('button', { name: 'Create organisation' }).click();
    await page.locator('#new-org-name-error').getByText('control characters are not accepted').waitFor();
    assert.equal((await api('/api/v1/auth/orgs')).length, 1);

    await nameInput.fill(NEW_ORG);
    await page.getByRole('button', { name: 'Create organisation' }).click();
    await page.getByTestId('org-created').getByText(`Created ${NEW_ORG}.`).waitFor();
    await page.screenshot({ path: join(SHOTS, 'org-created.png'), fullPage: true });
    const memberships = await api('/api/v1/auth/orgs');
    assert.deepEqual(
      memberships.map((item) => [item.org.name, item.role, item.current]).sort(),
      [
        [home.name, 'admin', true],
        [NEW_ORG, 'admin', false],
      ].sort(),
    );
    assert.equal((await api('/api/v1/auth/me')).org.id, home.id, 'creating does not switch');

    await page.getByRole('button', { name: `Switch to ${NEW_ORG}` }).click();
    await page.waitForURL((url) => url.pathname === '/');
    assert.equal((await api('/api/v1/auth/me')).org.name, NEW_ORG);
    // The overview of the new organisation has no demo projects.
    await page.getByTestId('area-ev-traction').getByText('No project for this area yet.').waitFor();
    await page.screenshot({ path: join(SHOTS, 'org-new-overview.png') });
    assert.deepEqual(await projectNames(), []);
    await page.getByText('No projects yet.').waitFor();

    menu = await openMenu();
    assert.equal(await menu.getByTestId('user-org').textContent(), NEW_ORG);
    assert.match(await menu.getByTestId('org-current').textContent(), new RegExp(`${NEW_ORG}.*current`));
    await page.screenshot({ path: join(SHOTS, 'org-switch-menu.png') });

    await menu.getByRole('menuitem', { name: `Switch to ${home.name}` }).click();
    await page.waitForURL((url) => url.pathname === '/');
    assert.equal((await api('/api/v1/auth/me')).org.id, home.id);
    assert.deepEqual((await projectNames()).sort(), demoProjects);

    menu = await openMenu();
    assert.equal(await menu.getByTestId('user-org').textContent(), home.name);
    await page.keyboard.press('Escape');
    assert.deepEqual(pageErrors, []);
  });
});
