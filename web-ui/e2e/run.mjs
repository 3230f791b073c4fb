// End-to-end test of the dashboard in a real headless Chromium (Debian's, never downloaded),
// driven by playwright-core, against a running system manager.
//
// Usage: node e2e/run.mjs <base-url>
// Environment (the DashboardE2EIT in system-manager/server sets these up):
//   FERRY_E2E_USER / FERRY_E2E_PASSWORD        an admin of tenant A
//   FERRY_E2E_OTHER_USER / FERRY_E2E_OTHER_PASSWORD  a user of tenant B
//   FERRY_E2E_OTHER_ACCOUNT                    a cloud account name only tenant B has
//   FERRY_E2E_OTHER_MIGRATION                  a migration id only tenant B has
//   FERRY_E2E_SOURCE_DIRECTORY                 directory of a local cloud (aws layer) holding images/<image>
//   FERRY_E2E_TARGET_DIRECTORY                 directory of an empty local cloud (kvm layer, qcow2)
//   FERRY_E2E_IMAGE                            the sample image's id in that cloud
//   FERRY_E2E_WORKFLOW                         "real" (migrations run) or "recording" (they stay queued)
//   FERRY_E2E_SCREENSHOTS                      where screenshots go (default ./target/e2e-screenshots)
//   CHROMIUM                                   the browser (default /usr/bin/chromium)
// Exit status 0 when every check passed; 1 with the failed check otherwise.

import { baseUrlArgument, check, env, launch, report, screenshotter } from './harness.mjs';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const baseUrl = baseUrlArgument('e2e/run.mjs');
const user = env('FERRY_E2E_USER');
const password = env('FERRY_E2E_PASSWORD');
const otherUser = env('FERRY_E2E_OTHER_USER');
const otherPassword = env('FERRY_E2E_OTHER_PASSWORD');
const otherAccount = env('FERRY_E2E_OTHER_ACCOUNT');
const otherMigration = env('FERRY_E2E_OTHER_MIGRATION');
const sourceDirectory = env('FERRY_E2E_SOURCE_DIRECTORY');
const targetDirectory = env('FERRY_E2E_TARGET_DIRECTORY');
const image = env('FERRY_E2E_IMAGE');
const workflow = env('FERRY_E2E_WORKFLOW', 'recording');
const screenshots = resolve(env('FERRY_E2E_SCREENSHOTS', 'target/e2e-screenshots'));
const executablePath = env('CHROMIUM', '/usr/bin/chromium');
const finishTimeout = Number(env('FERRY_E2E_FINISH_TIMEOUT_MS', '180000'));

mkdirSync(screenshots, { recursive: true });
const userDataDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-chromium-'));
const problems = [];
let step = 'start';

const shot = screenshotter(screenshots);

async function signIn(page, name, secret) {
  await page.goto(`${baseUrl}/`);
  await page.getByRole('heading', { name: 'Sign in to Ferry' }).waitFor();
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(secret);
  await page.getByLabel('Password').press('Enter');
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
}

async function signOut(page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in to Ferry' }).waitFor();
}

async function startMigration(page, targetImageName) {
  await page.getByRole('link', { name: 'New migration' }).click();
  await page.getByRole('heading', { name: 'New migration' }).waitFor();
  await page.getByLabel('Source account').selectOption({ label: 'lab (local)' });
  await page.getByLabel('Source image').selectOption(image);
  await page.getByLabel('Target account').selectOption({ label: 'kvm-lab (local)' });
  await page.getByLabel('Name of the new image (optional)').fill(targetImageName);
  await page.getByTestId('estimate-bytes').waitFor();
  await page.getByRole('button', { name: 'Start migration' }).click();
  await page.getByRole('heading', { name: /^Migration [0-9a-f]{8}$/ }).waitFor();
  return page.url().split('/').pop();
}

async function migrationState(page) {
  return (await page.getByTestId('migration-state').innerText()).trim();
}

const { context, page } = await launch({ executablePath, userDataDir, problems, currentStep: () => step });

let failed = null;
try {
  step = 'sign in';
  await page.goto(`${baseUrl}/`);
  await page.getByRole('heading', { name: 'Sign in to Ferry' }).waitFor();
  await shot(page, '01-sign-in');
  // Keyboard: the form starts focused on the user name and works without a mouse.
  check((await page.evaluate(() => document.activeElement?.getAttribute('name'))) === 'username', 'the sign-in form does not start at the user name');
  await page.keyboard.type(user);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  // Each page moves focus to its heading; Tab then goes on into the page; the skip link leads to it.
  await page.waitForFunction(() => document.activeElement?.tagName === 'H1', null, { timeout: 5000 })
    .catch(() => check(false, 'focus is not on the page heading after sign-in'));
  check((await page.locator('a.skip-link').getAttribute('href')) === '#main', 'no skip link to the main content');
  await shot(page, '02-overview-empty');

  step = 'add local cloud accounts';
  await page.getByRole('link', { name: 'Cloud accounts' }).click();
  await page.getByRole('heading', { name: 'Add a cloud account' }).waitFor();
  for (const [name, directory, format, layer] of [['lab', sourceDirectory, 'raw', 'aws'], ['kvm-lab', targetDirectory, 'qcow2', 'kvm']]) {
    await page.getByLabel('Cloud', { exact: true }).selectOption('local');
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel(/^directory/).fill(directory);
    await page.getByLabel(/^format/).fill(format);
    await page.getByLabel(/^layer/).fill(layer);
    await page.getByRole('button', { name: 'Check and add account' }).click();
    await page.getByText(`Added cloud account "${name}".`).waitFor();
    await page.getByRole('cell', { name, exact: true }).waitFor();
  }
  check(!(await page.getByText(otherAccount).isVisible()), `tenant A sees tenant B's account ${otherAccount}`);
  step = 'a wrong setting is refused with the field named';
  await page.getByLabel('Cloud', { exact: true }).selectOption('local');
  await page.getByLabel('Name', { exact: true }).fill('broken');
  await page.getByLabel(/^directory/).fill('relative/path');
  const refusedAt = problems.length;
  await page.getByRole('button', { name: 'Check and add account' }).click();
  await page.getByRole('alert').waitFor();
  check((await page.getByRole('alert').innerText()).length > 10, 'the refusal says nothing');
  // Chromium logs the refused request itself as a failed resource: expected here.
  problems.splice(refusedAt);
  await shot(page, '03-accounts');

  step = 'image catalogue';
  await page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'lab', exact: true }) }).getByRole('link', { name: 'Images' }).click();
  await page.getByRole('heading', { name: 'Images of lab' }).waitFor();
  const row = page.getByRole('row').filter({ hasText: image });
  await row.waitFor();
  check((await row.innerText()).includes('MiB'), 'the image row shows no size');
  await shot(page, '04-images');

  step = 'start a migration';
  const first = await startMigration(page, 'e2e-copy');
  await shot(page, '05-migration-started');
  if (workflow === 'real') {
    step = 'watch the migration reach succeeded';
    await page.getByTestId('migration-state').getByText(/Succeeded|Failed|Cancelled/).waitFor({ timeout: finishTimeout });
    const state = await migrationState(page);
    await shot(page, '06-migration-finished');
    check(state === 'Succeeded', `the migration ended ${state}: ${await page.locator('.error-text').allInnerTexts()}`);
    check(/Succeeded|Done/.test(await page.locator('tr[data-step="EXPORT"]').innerText()), 'EXPORT is not shown as done');
    step = 'open its report';
    await page.getByRole('heading', { name: 'Change report' }).scrollIntoViewIfNeeded();
    await page.getByTestId('report').waitFor();
    check(await page.getByRole('heading', { name: /^Strip: the aws layer removed from the image/ }).isVisible(), 'no strip report of the aws layer');
    check(await page.getByRole('heading', { name: /^Inject: the kvm layer added to the image/ }).isVisible(), 'no inject report of the kvm layer');
    check(await page.getByText(/New image/).isVisible(), 'the new image is not named');
    await shot(page, '07-migration-report');
  } else {
    step = 'the migration is queued (the orchestrator stand-in keeps it queued)';
    check((await migrationState(page)) === 'Queued', `expected Queued, saw ${await migrationState(page)}`);
    check((await page.locator('tr[data-step="PLAN"]').innerText()).includes('Pending'), 'PLAN is not shown as pending');
  }

  step = 'cancel another migration';
  await startMigration(page, 'e2e-cancelled');
  await page.getByRole('button', { name: 'Cancel migration' }).click();
  await page.getByTestId('migration-state').getByText(/Cancelled|Cancelling/).waitFor();
  await page.getByTestId('migration-state').getByText('Cancelled').waitFor({ timeout: finishTimeout });
  check(!(await page.getByRole('button', { name: 'Cancel migration' }).isVisible()), 'a cancelled migration still offers cancel');
  await shot(page, '08-migration-cancelled');

  step = 'history with filters';
  await page.getByRole('link', { name: 'History' }).click();
  await page.getByTestId('page-info').waitFor();
  check((await page.getByTestId('page-info').innerText()).includes('(2 migrations)'), `history shows ${await page.getByTestId('page-info').innerText()}`);
  await page.getByLabel('State').selectOption('CANCELLED');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByTestId('page-info').getByText('(1 migrations)').waitFor();
  await shot(page, '09-history-filtered');
  await page.getByRole('link', { name: first.slice(0, 8) }).waitFor({ state: 'detached' });

  step = 'overview charts';
  await page.getByRole('link', { name: 'Overview' }).click();
  await page.getByRole('img', { name: 'Migrations per day, last 14 days' }).waitFor();
  await shot(page, '10-overview');

  step = 'API tokens';
  await page.getByRole('link', { name: 'API tokens' }).click();
  await page.getByLabel('Name', { exact: true }).fill('ci pipeline');
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = await page.getByTestId('new-token').inputValue();
  check(token.startsWith('ferry_'), `the new token looks wrong: ${token.slice(0, 6)}`);
  await shot(page, '11-token-created');
  await page.getByRole('button', { name: 'Revoke token ci pipeline' }).click();
  await page.getByRole('cell', { name: /^revoked/ }).waitFor();
  await page.reload();
  await page.getByRole('heading', { name: 'API tokens' }).waitFor();
  check(!(await page.content()).includes(token), 'the token is shown again after a reload');

  step = 'audit log';
  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.getByRole('cell', { name: /migrations/ }).first().waitFor();
  await shot(page, '12-audit');

  step = 'tablet width';
  await page.setViewportSize({ width: 768, height: 1024 });
  await page.getByRole('link', { name: 'History' }).click();
  await page.getByTestId('page-info').waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  check(overflow <= 0, `the page scrolls sideways by ${overflow}px at tablet width`);
  await shot(page, '13-history-tablet');
  await page.goto(`${baseUrl}/#/migrations/${first}`);
  await page.getByRole('heading', { name: 'Steps' }).waitFor();
  await shot(page, '14-migration-tablet');
  await page.setViewportSize({ width: 1366, height: 900 });

  step = 'another tenant sees none of it';
  await signOut(page);
  await signIn(page, otherUser, otherPassword);
  await page.getByRole('link', { name: 'Cloud accounts' }).click();
  await page.getByRole('cell', { name: otherAccount, exact: true }).waitFor();
  check(!(await page.getByRole('cell', { name: 'lab', exact: true }).isVisible()), 'tenant B sees tenant A\'s account "lab"');
  await page.getByRole('link', { name: 'History' }).click();
  await page.getByTestId('page-info').waitFor();
  check((await page.getByTestId('page-info').innerText()).includes('(1 migrations)'), `tenant B's history shows ${await page.getByTestId('page-info').innerText()}`);
  check(!(await page.getByRole('link', { name: first.slice(0, 8) }).isVisible()), 'tenant B sees tenant A\'s migration');
  await shot(page, '15-other-tenant');
  step = 'tenant A cannot open tenant B\'s migration';
  await signOut(page);
  await signIn(page, user, password);
  const before = problems.length;
  await page.goto(`${baseUrl}/#/migrations/${otherMigration}`);
  await page.getByRole('alert').waitFor();
  check((await page.getByRole('alert').innerText()).toLowerCase().includes('not found'), 'another tenant\'s migration is not answered as not found');
  check(!(await page.content()).includes(otherAccount), 'another tenant\'s account name leaks');
  // The refused request itself is logged by Chromium as a failed resource: expected here.
  problems.splice(before, problems.length - before, ...problems.slice(before).filter((problem) => !problem.includes('404')));
  await shot(page, '16-other-tenant-migration-refused');

  step = 'no console errors';
  check(problems.length === 0, `the browser reported:\n  ${problems.join('\n  ')}`);
} catch (error) {
  failed = error;
  await shot(page, 'failure').catch(() => {});
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
report({ failed, step, problems, screenshots, workflow });
