// Small SVG charts (no library): the data shaping is pure and tested, the drawing returns markup
// with every text escaped.

import type { Migration } from './api';
import { secondsBetween } from './format';

export interface Bar {
  label: string;
  value: number;
  /** Accessible description of the bar, such as "3 migrations on 25 Nov". */
  title: string;
}

/** The UTC day (YYYY-MM-DD) of an instant. */
export function utcDay(instant: string): string {
  return new Date(instant).toISOString().slice(0, 10);
}

/** The last `days` UTC days up to and including `today`, oldest first. */
export function lastDays(today: Date, days: number): string[] {
  const result: string[] = [];
  for (let index = days - 1; index >= 0; index--) {
    const day = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - index));
    result.push(day.toISOString().slice(0, 10));
  }
  return result;
}

/** Migrations created per day over the given days. */
export function migrationsPerDay(migrations: Migration[], days: string[]): Map<string, number> {
  const counts = new Map(days.map((day) => [day, 0]));
  for (const migration of migrations) {
    const day = utcDay(migration.createdAt);
    if (counts.has(day)) {
      counts.set(day, (counts.get(day) ?? 0) + 1);
    }
  }
  return counts;
}

/**
 * Bytes a migration moved: the largest step total the API reports, else the source image's size
 * from the catalogue (sizes keyed by "accountId/imageId"); only succeeded migrations count.
 */
export function bytesMoved(migration: Migration, imageSizes: Map<string, number>): number {
  if (migration.state !== 'SUCCEEDED') {
    return 0;
  }
  const stepTotals = migration.steps
    .map((step) => (typeof step.bytesTotal === 'number' && step.bytesTotal > 0 ? step.bytesTotal : 0));
  const largest = Math.max(0, ...stepTotals);
  if (largest > 0) {
    return largest;
  }
  return imageSizes.get(`${migration.sourceAccountId}/${migration.sourceImageId}`) ?? 0;
}

/** Bytes moved per day by succeeded migrations (by the day they finished). */
export function bytesPerDay(migrations: Migration[], days: string[], imageSizes: Map<string, number>): Map<string, number> {
  const totals = new Map(days.map((day) => [day, 0]));
  for (const migration of migrations) {
    const day = utcDay(migration.finishedAt ?? migration.createdAt);
    if (totals.has(day)) {
      totals.set(day, (totals.get(day) ?? 0) + bytesMoved(migration, imageSizes));
    }
  }
  return totals;
}

/** Mean duration in seconds of each step over the runs that finished it, in step order. */
export function meanStepDurations(migrations: Migration[]): Array<{ step: string; seconds: number; runs: number }> {
  const order: string[] = [];
  const sums = new Map<string, { seconds: number; runs: number }>();
  for (const migration of migrations) {
    for (const step of migration.steps) {
      if (!order.includes(step.name)) {
        order.push(step.name);
      }
      const seconds = secondsBetween(step.startedAt, step.finishedAt);
      if (seconds === null || step.state === 'SKIPPED') {
        continue;
      }
      const sum = sums.get(step.name) ?? { seconds: 0, runs: 0 };
      sum.seconds += seconds;
      sum.runs += 1;
      sums.set(step.name, sum);
    }
  }
  return order
    .filter((step) => sums.has(step))
    .map((step) => {
      const sum = sums.get(step)!;
      return { step, seconds: sum.seconds / sum.runs, runs: sum.runs };
    });
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (character) =>
    character === '<' ? '&lt;' : character === '>' ? '&gt;' : character === '&' ? '&amp;' : character === '"' ? '&quot;' : '&#39;',
  );
}

/**
 * A vertical bar chart as SVG markup; `label` names the chart for screen readers. `reference`
 * draws a dashed line at a value (such as the monthly budget), labelled.
 */
export function barChart(
  label: string,
  bars: Bar[],
  formatValue: (value: number) => string,
  reference?: { value: number; label: string } | null,
): string {
  const width = 600;
  const height = 180;
  const top = 16;
  const bottom = 28;
  const left = 8;
  const maximum = Math.max(0, reference?.value ?? 0, ...bars.map((bar) => bar.value));
  const slot = bars.length > 0 ? (width - left * 2) / bars.length : 0;
  const barWidth = Math.max(2, slot * 0.7);
  const plotHeight = height - top - bottom;
  const parts: string[] = [];
  parts.push(
    `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(label)}" preserveAspectRatio="xMidYMid meet">`,
  );
  parts.push(`<line x1="${left}" y1="${top + plotHeight}" x2="${width - left}" y2="${top + plotHeight}" class="axis"/>`);
  bars.forEach((bar, index) => {
    const barHeight = maximum > 0 ? (bar.value / maximum) * plotHeight : 0;
    const x = left + index * slot + (slot - barWidth) / 2;
    const y = top + plotHeight - barHeight;
    parts.push(
      `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${barHeight.toFixed(1)}" class="bar"><title>${escapeXml(bar.title)}</title></rect>`,
    );
    if (bar.value > 0) {
      parts.push(
        `<text x="${(x + barWidth / 2).toFixed(1)}" y="${(y - 3).toFixed(1)}" class="value" text-anchor="middle">${escapeXml(formatValue(bar.value))}</text>`,
      );
    }
    const every = Math.ceil(bars.length / 10);
    if (index % every === 0) {
      parts.push(
        `<text x="${(x + barWidth / 2).toFixed(1)}" y="${height - 8}" class="tick" text-anchor="middle">${escapeXml(bar.label)}</text>`,
      );
    }
  });
  if (reference && maximum > 0) {
    const y = top + plotHeight - (reference.value / maximum) * plotHeight;
    parts.push(
      `<line x1="${left}" y1="${y.toFixed(1)}" x2="${width - left}" y2="${y.toFixed(1)}" class="reference"/>`,
      `<text x="${left + 2}" y="${(y - 4).toFixed(1)}" class="reference-label" text-anchor="start">${escapeXml(reference.label)}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

/** The report's periods (UTC day starts) laid on the given days, missing days as zero. */
export function periodsPerDay(
  periods: Array<{ period: string; total: number; succeeded: number; failed: number }>,
  days: string[],
): Map<string, { total: number; succeeded: number; failed: number }> {
  const result = new Map(days.map((day) => [day, { total: 0, succeeded: 0, failed: 0 }]));
  for (const period of periods) {
    const entry = result.get(utcDay(period.period));
    if (entry) {
      entry.total += period.total;
      entry.succeeded += period.succeeded;
      entry.failed += period.failed;
    }
  }
  return result;
}

/** Succeeded over succeeded and failed; null when neither happened. */
export function successRate(succeeded: number, failed: number): number | null {
  return succeeded + failed === 0 ? null : succeeded / (succeeded + failed);
}

/** Bytes moved per day by the bill's jobs (by the day they finished). */
export function billBytesPerDay(jobs: Array<{ finishedAt?: string | null; createdAt: string; bytesMoved: number }>, days: string[]): Map<string, number> {
  const totals = new Map(days.map((day) => [day, 0]));
  for (const job of jobs) {
    const day = utcDay(job.finishedAt ?? job.createdAt);
    if (totals.has(day)) {
      totals.set(day, (totals.get(day) ?? 0) + job.bytesMoved);
    }
  }
  return totals;
}

/** Per plugin as target (or source): migrations, bytes and spend, the busiest first. */
export function perCloud<T extends { role: string; pluginId: string; migrations: number }>(clouds: T[], role: 'source' | 'target'): T[] {
  return clouds.filter((cloud) => cloud.role === role).sort((a, b) => b.migrations - a.migrations || a.pluginId.localeCompare(b.pluginId));
}

/**
 * How a month's spending stands against the budget, as shares of the bar (0..1): spent, committed
 * beyond spent, and whether committed passes the budget. Without a budget the bar is relative to
 * the committed amount.
 */
export function budgetShares(report: { budget?: number | null; spent: number; committed: number }): {
  spent: number;
  committed: number;
  over: boolean;
} {
  const scale = report.budget && report.budget > 0 ? Math.max(report.budget, report.committed) : Math.max(report.committed, report.spent);
  if (!scale || scale <= 0) {
    return { spent: 0, committed: 0, over: false };
  }
  const spent = Math.min(1, Math.max(0, report.spent / scale));
  const committed = Math.min(1 - spent, Math.max(0, (report.committed - report.spent) / scale));
  return { spent, committed, over: report.budget !== null && report.budget !== undefined && report.committed > report.budget };
}

/** The UTC days of a month: "2026-02" -> 2026-02-01 ... 2026-02-28. */
export function daysOfMonth(month: string): string[] {
  const [year, monthNumber] = month.split('-').map(Number);
  const count = new Date(Date.UTC(year, monthNumber, 0)).getUTCDate();
  return Array.from({ length: count }, (_, index) => `${month}-${String(index + 1).padStart(2, '0')}`);
}

/** The bill's actual costs per day they finished. */
export function costPerDay(jobs: Array<{ finishedAt?: string | null; createdAt: string; actualTotal: number }>, days: string[]): Map<string, number> {
  const totals = new Map(days.map((day) => [day, 0]));
  for (const job of jobs) {
    const day = utcDay(job.finishedAt ?? job.createdAt);
    if (totals.has(day)) {
      totals.set(day, (totals.get(day) ?? 0) + Number(job.actualTotal));
    }
  }
  return totals;
}
