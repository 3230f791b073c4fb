// End-to-end test of the dashboard's policy, approval, trigger, report and billing screens in a
// real headless Chromium (Debian's, never downloaded), driven by playwright-core, against a running
// system manager whose tenant A already has two local cloud accounts: "lab" (aws layer, holding
// the image) and "kvm-lab" (kvm layer, qcow2), and that evaluates triggers every second or so.
//
// Usage: node e2e/policies.mjs <base-url>
// Environment (DashboardPoliciesE2EIT in system-manager/server sets these up):
//   FERRY_E2E_USER          an admin of tenant A
//   FERRY_E2E_VIEWER        a viewer of tenant A
//   FERRY_E2E_OTHER_USER    an admin of tenant B
//   FERRY_E2E_PASSWORD      the three users' password
//   FERRY_E2E_IMAGE         the image's id in "lab"
//   FERRY_E2E_SOURCE_DIRECTORY  the directory of "lab" (a new image is copied into its images/)
//   FERRY_E2E_WORKFLOW      "real" (migrations run) or "recording" (they stay queued)
//   FERRY_E2E_SCREENSHOTS   where screenshots go (default ./target/e2e-screenshots/policies)
//   CHROMIUM                the browser (default /usr/bin/chromium)
// Exit status 0 when every check passed; 1 with the failed check otherwise.

import { baseUrlArgument, check, env, launch, report, screenshotter } from './harness.mjs';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const baseUrl = baseUrlArgument('e2e/policies.mjs');
const admin = env('FERRY_E2E_USER');
const viewer = env('FERRY_E2E_VIEWER');
const otherUser = env('FERRY_E2E_OTHER_USER');
const password = env('FERRY_E2E_PASSWORD');
const image = env('FERRY_E2E_IMAGE');
const sourceDirectory = env('FERRY_E2E_SOURCE_DIRECTORY');
const workflow = env('FERRY_E2E_WORKFLOW', 'recording');
const screenshots = resolve(env('FERRY_E2E_SCREENSHOTS', 'target/e2e-screenshots/policies'));
const executablePath = env('CHROMIUM', '/usr/bin/chromium');
const finishTimeout = Number(env('FERRY_E2E_FINISH_TIMEOUT_MS', '180000'));

mkdirSync(screenshots, { recursive: true });
const userDataDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-chromium-'));
const problems = [];
let step = 'start';

const shot = screenshotter(screenshots);

/** Runs `action`, which makes a request the server refuses on purpose: Chromium logs it as a failed resource. */
async function expectingRefusal(action) {
  const before = problems.length;
  await action();
  problems.splice(before, problems.length - before, ...problems.slice(before).filter((problem) => !/status of 40[39]/.test(problem)));
}

async function signIn(page, name) {
  await page.goto(`${baseUrl}/`);
  await page.getByRole('heading', { name: 'Sign in to Ferry' }).waitFor();
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByLabel('Password').press('Enter');
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
}

async function signOut(page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in to Ferry' }).waitFor();
}

async function go(page, link, heading = link) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link, exact: true }).click();
  await page.getByRole('heading', { name: heading, exact: true, level: 1 }).waitFor();
}

async function pickMigration(page) {
  await go(page, 'New migration');
  await page.getByLabel('Source account').selectOption({ label: 'lab (local)' });
  await page.getByLabel('Source image').selectOption(image);
  await page.getByLabel('Target account').selectOption({ label: 'kvm-lab (local)' });
  await page.getByTestId('estimate-cost').waitFor();
}

/** "$0.5453 (egress ...)" -> 0.5453 */
function dollars(text) {
  const match = /\$([\d,]+\.\d+)/.exec(text);
  check(match, `no dollar amount in "${text}"`);
  return Number(match[1].replace(/,/g, ''));
}

async function noSidewaysScroll(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  check(overflow <= 0, `${what} scrolls sideways by ${overflow}px at tablet width`);
}

const { context, page } = await launch({ executablePath, userDataDir, problems, currentStep: () => step, acceptDownloads: true });

let failed = null;
try {
  step = 'sign in as the tenant admin';
  await signIn(page, admin);

  step = 'set the source account’s egress price';
  await go(page, 'Cloud accounts');
  await page.getByRole('link', { name: 'Prices of lab' }).click();
  await page.getByRole('heading', { name: 'Prices of lab' }).waitFor();
  await page.getByLabel('Egress per GB (US dollars)').fill('10');
  await page.getByRole('button', { name: 'Save prices' }).click();
  await page.getByText('Saved the prices.').waitFor();
  await page.getByRole('heading', { name: 'Prices set by a tenant admin' }).waitFor();
  await shot(page, '01-prices');

  step = 'a wrong budget is shown next to its field';
  await go(page, 'Policies');
  await page.getByText('No policies').waitFor();
  await page.getByLabel('Name', { exact: true }).fill('monthly budget');
  await page.getByLabel('What it does').selectOption('LIMIT');
  const budget = page.getByLabel('Monthly budget (US dollars)');
  await budget.fill('a lot');
  await page.getByRole('button', { name: 'Create policy' }).click();
  await page.getByText(/a dollar amount such as 250/).waitFor();
  check((await budget.getAttribute('aria-invalid')) === 'true', 'the budget field is not marked invalid');
  check((await budget.getAttribute('aria-describedby'))?.includes('-error'), 'the budget field does not point at its error');
  check((await page.evaluate(() => document.activeElement?.getAttribute('name'))) === 'monthlyBudget', 'focus is not on the wrong field');
  await shot(page, '02-policy-field-error');

  step = 'create the budget policy';
  await budget.fill('100');
  await page.getByRole('button', { name: 'Create policy' }).click();
  await page.getByText('Created the policy "monthly budget".').waitFor();
  check((await page.locator('tr[data-policy="monthly budget"]').innerText()).includes('budget $100.00 a month'), 'the budget policy row does not show the budget');

  step = 'create the approval rule';
  await page.getByLabel('Name', { exact: true }).fill('approve kvm');
  await page.getByLabel('What it does').selectOption('APPROVAL');
  await page.getByRole('group', { name: 'Target accounts' }).getByLabel('kvm-lab (local)').check();
  await page.getByRole('button', { name: 'Create policy' }).click();
  await page.getByText('Created the policy "approve kvm".').waitFor();
  check((await page.locator('tr[data-policy="approve kvm"]').innerText()).includes('to kvm-lab'), 'the approval rule does not name its target');
  await shot(page, '03-policies');

  step = 'the preview shows the cost estimate';
  await pickMigration(page);
  const estimateText = await page.getByTestId('estimate-cost').innerText();
  const estimate = dollars(estimateText);
  check(estimate > 0, `the estimate is ${estimateText}`);
  check(estimateText.includes('egress'), `the estimate does not break down: ${estimateText}`);
  await shot(page, '04-preview-with-cost');

  step = 'a migration that needs approval waits';
  await page.getByRole('button', { name: 'Start migration' }).click();
  await page.getByRole('heading', { name: /^Migration [0-9a-f]{8}$/ }).waitFor();
  const waiting = page.url().split('/').pop();
  await page.getByTestId('awaiting-approval').waitFor();
  check((await page.getByTestId('migration-state').innerText()).trim() === 'Awaiting approval', 'the migration is not shown awaiting approval');
  await page.getByTestId('waiting-reason').filter({ hasText: '"approve kvm"' }).waitFor()
    .catch(() => check(false, 'the page does not say which rule it waits for'));
  await shot(page, '05-migration-waits');

  step = 'approve it on the approvals page';
  await go(page, 'Approvals');
  const card = page.locator(`li[data-migration="${waiting}"]`);
  await card.waitFor();
  check((await card.innerText()).includes('approve kvm'), 'the approvals list does not say why it waits');
  await card.getByLabel(/^Reason for migration/).fill('tested image, go ahead');
  await shot(page, '06-approvals');
  await card.getByRole('button', { name: `Approve migration ${waiting.slice(0, 8)}` }).click();
  await page.getByText(`Approved migration ${waiting.slice(0, 8)}`).waitFor();
  await page.getByTestId('no-approvals').waitFor();

  step = 'the approved migration runs';
  await page.goto(`${baseUrl}/#/migrations/${waiting}`);
  await page.getByRole('heading', { name: 'Steps' }).waitFor();
  check(!(await page.getByTestId('awaiting-approval').isVisible()), 'the approved migration still shows as waiting');
  if (workflow === 'real') {
    await page.getByTestId('migration-state').getByText(/Succeeded|Failed|Cancelled/).waitFor({ timeout: finishTimeout });
    const state = (await page.getByTestId('migration-state').innerText()).trim();
    check(state === 'Succeeded', `the approved migration ended ${state}: ${await page.locator('.error-text').allInnerTexts()}`);
    await page.getByTestId('migration-cost').getByText(/actual/).waitFor();
  } else {
    await page.getByTestId('migration-state').getByText(/Queued|Running/).waitFor();
  }
  await page.getByText(/policy "approve kvm": approved by alice/).waitFor();

  step = 'reject another one on its own page, with a reason';
  await pickMigration(page);
  await page.getByRole('button', { name: 'Start migration' }).click();
  await page.getByTestId('awaiting-approval').waitFor();
  const rejected = page.url().split('/').pop();
  await page.getByLabel(/^Reason for migration/).fill('not this week');
  await page.getByRole('button', { name: `Reject migration ${rejected.slice(0, 8)}` }).click();
  await page.getByTestId('migration-state').getByText('Rejected').waitFor();
  check((await page.locator('.error-text').innerText()).includes('not this week'), 'the rejection reason is not shown');
  check(!(await page.getByTestId('awaiting-approval').isVisible()), 'a rejected migration still offers approval');
  check(!(await page.getByRole('button', { name: 'Cancel migration' }).isVisible()), 'a rejected migration offers cancel');
  await shot(page, '06b-migration-rejected');

  step = 'create a trigger; a five-field cron is caught';
  await go(page, 'Triggers');
  await page.getByText('No triggers yet.').waitFor();
  await page.getByLabel('Name', { exact: true }).fill('nightly debian');
  await page.getByLabel('Fires').selectOption('SCHEDULE');
  await page.getByLabel('Cron schedule (UTC)').fill('0 2 * * *');
  await page.getByLabel('Source account').selectOption({ label: 'lab (local)' });
  await page.getByLabel('Image names').fill('debian-*');
  await page.getByRole('group', { name: 'Target accounts' }).getByLabel('kvm-lab (local)').check();
  await page.getByRole('button', { name: 'Create trigger' }).click();
  await page.getByText(/six fields, seconds first/).waitFor();
  check((await page.getByLabel('Cron schedule (UTC)').getAttribute('aria-invalid')) === 'true', 'the cron field is not marked invalid');
  await page.getByLabel('Cron schedule (UTC)').fill('0 0 2 * * *');
  await page.getByRole('button', { name: 'Create trigger' }).click();
  await page.getByText('Created the trigger "nightly debian".').waitFor();
  const row = page.locator('tr[data-trigger="nightly debian"]');
  const listed = await row.innerText();
  check(listed.includes('0 0 2 * * *') && listed.includes('debian-*') && listed.includes('kvm-lab'), `the trigger row lacks its schedule or images: ${listed}`);
  check(listed.includes('never'), `a new trigger has fired: ${listed}`);
  check(/\d{4}/.test(listed.split('never')[1] ?? ''), `the next firing is not shown: ${listed}`);
  await shot(page, '08-trigger-created');
  await page.getByRole('button', { name: 'Disable trigger nightly debian' }).click();
  await page.getByText('Disabled the trigger "nightly debian".').waitFor();
  check((await row.innerText()).includes('Disabled'), 'the disabled trigger is not shown disabled');

  step = 'an image trigger starts a migration when a new image appears, under the same rules';
  await page.getByLabel('Name', { exact: true }).fill('new lab images');
  await page.getByLabel('Fires').selectOption('IMAGE');
  await page.getByLabel('Source account').selectOption({ label: 'lab (local)' });
  await page.getByLabel('Image names').fill('*-new*');
  await page.getByRole('group', { name: 'Target accounts' }).getByLabel('kvm-lab (local)').check();
  await page.getByRole('button', { name: 'Create trigger' }).click();
  await page.getByText('Created the trigger "new lab images".').waitFor();
  const imageRow = page.locator('tr[data-trigger="new lab images"]');
  check((await imageRow.innerText()).includes('checked every round'), `the image trigger's next check is not shown: ${await imageRow.innerText()}`);
  // A new image file in the source account: the next trigger round (the test runs one a second) fires.
  copyFileSync(join(sourceDirectory, 'images', image), join(sourceDirectory, 'images', `${image.replace(/\.[^.]+$/, '')}-new${image.match(/\.[^.]+$/)?.[0] ?? ''}`));
  let started = null;
  for (let attempt = 0; attempt < 30 && !started; attempt++) {
    await page.waitForTimeout(1000);
    await page.getByRole('button', { name: 'Refresh the list' }).click();
    await imageRow.waitFor();
    const link = imageRow.getByRole('link');
    if ((await link.count()) > 0) {
      started = link.first();
    }
  }
  check(started, 'the image trigger started no migration within 30 seconds');
  check(!(await imageRow.innerText()).includes('never'), 'the trigger does not show when it fired');
  await shot(page, '08b-trigger-fired');
  await started.click();
  await page.getByRole('heading', { name: /^Migration [0-9a-f]{8}$/ }).waitFor();
  await page.getByTestId('awaiting-approval').waitFor();
  await page.getByRole('link', { name: /^trigger [0-9a-f]{8}$/ }).waitFor();
  await page.getByLabel(/^Reason for migration/).fill('started by the trigger test');
  await page.getByRole('button', { name: /^Reject migration/ }).click();
  await page.getByTestId('migration-state').getByText('Rejected').waitFor();

  step = 'lower the budget below one estimate';
  await go(page, 'Policies');
  await page.getByRole('button', { name: 'Edit policy monthly budget' }).click();
  await page.getByRole('heading', { name: 'Edit policy monthly budget' }).waitFor();
  const lowered = Math.max(0.0001, Math.floor((estimate / 2) * 10_000) / 10_000);
  await page.getByLabel('Monthly budget (US dollars)').fill(String(lowered));
  await page.getByRole('button', { name: 'Save policy' }).click();
  await page.getByText('Saved the policy "monthly budget".').waitFor();

  step = 'a migration over the budget is refused with the numbers';
  await pickMigration(page);
  await expectingRefusal(async () => {
    await page.getByRole('button', { name: 'Start migration' }).click();
    await page.getByTestId('refusal').waitFor();
  });
  const refusal = await page.getByTestId('refusal').innerText();
  for (const expected of ['monthly budget', 'Budget', 'Spent or committed', 'This migration (estimate)', 'Over the budget by']) {
    check(refusal.includes(expected), `the refusal does not show "${expected}": ${refusal}`);
  }
  check(refusal.includes(`$${lowered.toFixed(4)}`), `the refusal does not show the budget $${lowered.toFixed(4)}: ${refusal}`);
  check(refusal.includes(`$${estimate.toFixed(4)}`), `the refusal does not show the estimate $${estimate.toFixed(4)}: ${refusal}`);
  check(page.url().endsWith('#/migrate'), 'a refused migration left the page');
  await shot(page, '07-refused-over-budget');

  step = 'reports';
  await go(page, 'Reports');
  await page.getByRole('img', { name: /^Migrations per day/ }).waitFor();
  check((await page.getByTestId('report-total').innerText()).trim() === '3', `the report counts ${await page.getByTestId('report-total').innerText()} migrations`);
  await page.getByTestId('budget').waitFor();
  await shot(page, '09-reports');

  step = 'billing: the job’s cost and the CSV';
  await go(page, 'Billing');
  await page.getByRole('img', { name: 'Spend per month, the latest six months' }).waitFor();
  if (workflow === 'real') {
    const job = page.locator(`tr[data-migration="${waiting}"]`);
    await job.waitFor();
    const cost = dollars(await job.getByTestId('job-cost').innerText());
    check(cost > 0 && cost <= estimate + 0.0001, `the job cost ${cost} is not within the estimate ${estimate}`);
    check(dollars(await page.getByTestId('bill-total').innerText()) === cost, 'the bill total is not the one job’s cost');
  }
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv-export').click()]);
  const csv = readFileSync(await download.path(), 'utf8');
  check(csv.startsWith('migration_id,created_at,finished_at,state'), `the CSV has no header: ${csv.slice(0, 80)}`);
  check(download.suggestedFilename().startsWith('ferry-billing-'), `the CSV is named ${download.suggestedFilename()}`);
  if (workflow === 'real') {
    check(csv.includes(waiting), 'the CSV does not list the approved migration');
  }
  await shot(page, '10-billing');

  step = 'tablet width';
  await page.setViewportSize({ width: 768, height: 1024 });
  await noSidewaysScroll(page, 'billing');
  await shot(page, '11-billing-tablet');
  await go(page, 'Policies');
  await page.locator('tr[data-policy="monthly budget"]').waitFor();
  await noSidewaysScroll(page, 'policies');
  await shot(page, '11b-policies-tablet');
  await go(page, 'Triggers');
  await page.locator('tr[data-trigger="nightly debian"]').waitFor();
  await noSidewaysScroll(page, 'triggers');
  await shot(page, '11c-triggers-tablet');
  await page.setViewportSize({ width: 1366, height: 900 });

  step = 'a viewer reads policies but cannot edit them';
  await signOut(page);
  await signIn(page, viewer);
  const nav = page.getByRole('navigation', { name: 'Main' });
  check(!(await nav.getByRole('link', { name: 'Approvals' }).isVisible()), 'a viewer sees Approvals');
  check(!(await nav.getByRole('link', { name: 'Billing' }).isVisible()), 'a viewer sees Billing');
  await go(page, 'Policies');
  await page.locator('tr[data-policy="monthly budget"]').waitFor();
  check(!(await page.getByRole('button', { name: /^(Edit|Delete) policy/ }).count()), 'a viewer gets edit or delete buttons');
  check(!(await page.getByRole('button', { name: 'Create policy' }).count()), 'a viewer gets the new policy form');
  await page.getByText('Only tenant admins change policies.').waitFor();
  await shot(page, '12-viewer-policies');
  await go(page, 'Triggers');
  await page.locator('tr[data-trigger="nightly debian"]').waitFor();
  check(!(await page.getByRole('button', { name: 'Create trigger' }).count()), 'a viewer gets the new trigger form');

  step = 'another tenant sees none of it';
  await signOut(page);
  await signIn(page, otherUser);
  await go(page, 'Policies');
  await page.getByText('No policies').waitFor();
  await go(page, 'Triggers');
  await page.getByText('No triggers yet.').waitFor();
  await go(page, 'Approvals');
  await page.getByTestId('no-approvals').waitFor();
  await go(page, 'Billing');
  await page.getByText('No job ended in this month.').waitFor();
  check(dollars(await page.getByTestId('bill-total').innerText()) === 0, 'tenant B is billed');
  await go(page, 'Reports');
  await page.getByTestId('report-total').waitFor();
  check((await page.getByTestId('report-total').innerText()).trim() === '0', 'tenant B’s report counts tenant A’s migrations');
  await shot(page, '13-other-tenant');

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
