// What the dashboard's end-to-end scripts share: their arguments and environment, checks and
// screenshots, Debian's headless Chromium through playwright-core (never a downloaded browser),
// with the browser's console errors collected, and the closing report and exit status.

import { chromium } from 'playwright-core';
import { join } from 'node:path';

/** The server's base URL from the first argument (or FERRY_URL); exits 2 with the usage when missing. */
export function baseUrlArgument(script) {
  const baseUrl = (process.argv[2] ?? process.env.FERRY_URL ?? '').replace(/\/$/, '');
  if (!baseUrl) {
    console.error(`usage: node ${script} <base-url>`);
    process.exit(2);
  }
  return baseUrl;
}

/** An environment variable, or `fallback`; exits 2 naming it when it is missing and has none. */
export function env(name, fallback) {
  const value = process.env[name] ?? fallback;
  if (value === undefined) {
    console.error(`missing environment variable ${name}`);
    process.exit(2);
  }
  return value;
}

/** Fails the run with `message` unless `condition` holds. */
export function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

/** A function that saves a full-page screenshot named `name`.png into `folder`. */
export function screenshotter(folder) {
  return (page, name) => page.screenshot({ path: join(folder, `${name}.png`), fullPage: true });
}

/**
 * Starts Chromium headless with a fresh profile in `userDataDir` (no background networking: this
 * machine's network is closed) and returns its context and page. Console errors and page errors
 * go into `problems`, tagged with `currentStep()`; dialogs are accepted.
 */
export async function launch({ executablePath, userDataDir, problems, currentStep, acceptDownloads = false }) {
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1366, height: 900 },
    acceptDownloads,
  });
  context.setDefaultTimeout(20_000);
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (message) => {
    if (message.type() === 'error') {
      problems.push(`console error during "${currentStep()}": ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`page error during "${currentStep()}": ${error.message}`));
  page.on('dialog', (dialog) => dialog.accept());
  return { context, page };
}

/** Prints the outcome and exits 1 when the run failed. */
export function report({ failed, step, problems, screenshots, workflow }) {
  if (failed) {
    console.error(`E2E FAILED at "${step}": ${failed.message}`);
    if (problems.length > 0) {
      console.error(`browser problems:\n  ${problems.join('\n  ')}`);
    }
    console.error(`screenshots: ${screenshots}`);
    process.exit(1);
  }
  console.log(`E2E passed (${workflow} workflow); screenshots in ${screenshots}`);
}
