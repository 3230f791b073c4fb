import type { CatalogueImage, Migration } from '../api';
import { barChart, bytesPerDay, lastDays, meanStepDurations, migrationsPerDay } from '../charts';
import { h, replace } from '../dom';
import { formatBytes, formatDuration, humanize } from '../format';
import { type Context, errorBox } from '../context';
import { migrationTable } from './shared';

const DAYS = 14;

/** The overview: charts of the last two weeks and the latest migrations. */
export async function overviewView(context: Context, main: HTMLElement): Promise<void> {
  replace(main, h('h1', { tabindex: -1 }, 'Overview'), h('p', null, 'Loading…'));
  let migrations: Migration[];
  try {
    // The charts look at the latest 200 migrations (the API's largest page).
    migrations = (await context.api.migrations({ size: 200, createdFrom: new Date(Date.now() - DAYS * 86_400_000).toISOString() })).items;
  } catch (error) {
    replace(main, h('h1', { tabindex: -1 }, 'Overview'), errorBox(error));
    return;
  }
  const accounts = await context.accounts().catch(() => []);
  const names = new Map(accounts.map((account) => [account.id, account.name]));
  const imageSizes = new Map<string, number>();
  const sourceAccounts = new Set(migrations.map((migration) => migration.sourceAccountId));
  await Promise.all(
    [...sourceAccounts].filter((id) => names.has(id)).map(async (id) => {
      const images: CatalogueImage[] = await context.api.images(id).catch(() => []);
      for (const image of images) {
        imageSizes.set(`${id}/${image.id}`, image.virtualSize);
      }
    }),
  );
  const days = lastDays(new Date(), DAYS);
  const shortDay = (day: string): string => day.slice(5);
  const counts = migrationsPerDay(migrations, days);
  const bytes = bytesPerDay(migrations, days, imageSizes);
  const durations = meanStepDurations(migrations.filter((migration) => migration.state === 'SUCCEEDED'));
  const running = migrations.filter((migration) => ['QUEUED', 'RUNNING', 'CANCELLING'].includes(migration.state));
  replace(
    main,
    h('h1', { tabindex: -1 }, 'Overview'),
    h(
      'div',
      { class: 'stats' },
      stat('Migrations (14 days)', String(migrations.length)),
      stat('Running now', String(running.length)),
      stat('Succeeded', String(migrations.filter((migration) => migration.state === 'SUCCEEDED').length)),
      stat('Failed', String(migrations.filter((migration) => migration.state === 'FAILED').length)),
    ),
    h(
      'div',
      { class: 'charts' },
      chartCard(
        'Migrations over time',
        barChart('Migrations per day, last 14 days', days.map((day) => ({ label: shortDay(day), value: counts.get(day) ?? 0, title: `${counts.get(day) ?? 0} migrations on ${day}` })), String),
      ),
      chartCard(
        'Bytes moved',
        [...bytes.values()].every((value) => value === 0)
          ? '<p class="empty">No succeeded migrations in the last 14 days.</p>'
          : barChart('Bytes moved per day by succeeded migrations, last 14 days', days.map((day) => ({ label: shortDay(day), value: bytes.get(day) ?? 0, title: `${formatBytes(bytes.get(day) ?? 0)} on ${day}` })), formatBytes),
      ),
      chartCard(
        'Duration per step',
        durations.length === 0
          ? '<p class="empty">No finished steps yet.</p>'
          : barChart('Mean duration of each step over succeeded migrations', durations.map((entry) => ({ label: humanize(entry.step).slice(0, 8), value: entry.seconds, title: `${humanize(entry.step)}: ${formatDuration(entry.seconds)} on average over ${entry.runs} runs` })), formatDuration),
      ),
    ),
    h('h2', null, 'Latest migrations'),
    migrationTable(migrations.slice(0, 10), names, 'Latest migrations'),
  );
}

function stat(label: string, value: string): HTMLElement {
  return h('div', { class: 'stat card' }, h('div', { class: 'stat-value' }, value), h('div', { class: 'stat-label' }, label));
}

function chartCard(title: string, svg: string): HTMLElement {
  return h('figure', { class: 'card chart-card' }, h('figcaption', null, title), h('div', { html: svg }));
}
