import { billingExportUrl, type BudgetReport, type CloudAccount, type ReportCloud } from '../api';
import { barChart, billBytesPerDay, budgetShares, costPerDay, daysOfMonth, lastDays, perCloud, periodsPerDay } from '../charts';
import { field, h, replace } from '../dom';
import { formatBytes, formatDateTime, formatMoney, formatMonth, formatPercent, formatStepSeconds, humanize, utcMonth } from '../format';
import { type Context, errorBox } from '../context';
import { stateBadge } from './shared';

const RANGES: Array<[number, string]> = [
  [7, 'Last 7 days'],
  [30, 'Last 30 days'],
  [90, 'Last 90 days'],
];

function stat(label: string, value: string, testId?: string): HTMLElement {
  return h('div', { class: 'stat card' }, h('div', { class: 'stat-value', 'data-testid': testId }, value), h('div', { class: 'stat-label' }, label));
}

function chartCard(title: string, content: string | HTMLElement): HTMLElement {
  return h('figure', { class: 'card chart-card' }, h('figcaption', null, title), typeof content === 'string' ? h('div', { html: content }) : content);
}

/** The month's spending against the budget: a bar of spent and committed, and the numbers. */
export function budgetMeter(report: BudgetReport): HTMLElement {
  const shares = budgetShares(report);
  const remaining = report.remaining ?? null;
  const summary = report.budget !== null && report.budget !== undefined
    ? `${formatMoney(report.spent)} spent and ${formatMoney(report.committed)} committed of a ${formatMoney(report.budget)} budget; ${
        remaining !== null && remaining < 0 ? `over by ${formatMoney(-remaining)}` : `${formatMoney(remaining)} left`
      }`
    : `${formatMoney(report.spent)} spent, ${formatMoney(report.committed)} committed; no monthly budget is set`;
  return h(
    'div',
    { class: 'budget', 'data-testid': 'budget' },
    h(
      'div',
      { class: `budget-bar${shares.over ? ' over' : ''}`, role: 'img', 'aria-label': summary },
      h('div', { class: 'budget-spent', style: `width:${(shares.spent * 100).toFixed(1)}%` }),
      h('div', { class: 'budget-committed', style: `width:${(shares.committed * 100).toFixed(1)}%` }),
    ),
    h('p', { class: 'budget-text' }, summary, '.'),
    h('p', { class: 'legend muted' }, h('span', { class: 'swatch spent' }), ' spent ', h('span', { class: 'swatch committed' }), ' committed by unfinished migrations (their estimates)'),
  );
}

/** Reports for everyone in the tenant: migrations over time, success rate, bytes, steps, clouds, budget. */
export async function reportsView(context: Context, main: HTMLElement): Promise<void> {
  const range = h('select', { name: 'range' }, RANGES.map(([days, label]) => h('option', { value: days, selected: days === 30 }, label)));
  const area = h('div', { 'aria-live': 'polite' });
  replace(
    main,
    h('h1', { tabindex: -1 }, 'Reports'),
    h('form', { class: 'range', 'aria-label': 'Report range', onsubmit: (event: Event) => event.preventDefault() }, field('Range', range)),
    area,
  );
  const load = async (): Promise<void> => {
    const days = Number(range.value);
    const now = new Date();
    const dayList = lastDays(now, days);
    const from = new Date(`${dayList[0]}T00:00:00Z`).toISOString();
    const span = { from, to: now.toISOString() };
    replace(area, h('p', null, 'Loading…'));
    try {
      const [summary, periods, steps, clouds, budget] = await Promise.all([
        context.api.reportSummary(span),
        context.api.reportMigrations(span, 'day'),
        context.api.reportSteps(span),
        context.api.reportClouds(span),
        context.api.reportBudget(),
      ]);
      const perDay = periodsPerDay(periods, dayList);
      const targets = perCloud(clouds, 'target');
      const sources = perCloud(clouds, 'source');
      const every = Math.ceil(dayList.length / 14);
      replace(
        area,
        h(
          'div',
          { class: 'stats' },
          stat('Migrations', String(summary.total), 'report-total'),
          stat('Success rate', formatPercent(summary.successRate), 'report-success-rate'),
          stat('Bytes moved', formatBytes(summary.bytesMoved), 'report-bytes'),
          stat('Spend', formatMoney(summary.spend), 'report-spend'),
        ),
        h(
          'div',
          { class: 'charts' },
          chartCard(
            'Migrations over time',
            summary.total === 0 ? '<p class="empty">No migrations in this range.</p>' : barChart(
              `Migrations per day, ${RANGES.find(([value]) => value === days)?.[1].toLowerCase()}`,
              dayList.map((day) => {
                const entry = perDay.get(day)!;
                return { label: day.slice(5), value: entry.total, title: `${day}: ${entry.total} migrations, ${entry.succeeded} succeeded, ${entry.failed} failed` };
              }).map((bar, index) => (index % every === 0 ? bar : { ...bar, label: '' })),
              String,
            ),
          ),
          chartCard(
            'Success rate',
            h(
              'div',
              { class: 'rate' },
              h('div', { class: 'stat-value' }, formatPercent(summary.successRate)),
              h('p', { class: 'muted' }, `${summary.succeeded} succeeded, ${summary.failed} failed, ${summary.cancelled} cancelled, ${summary.rejected} rejected`),
              summary.successRate !== null && summary.successRate !== undefined
                ? h(
                    'div',
                    { class: 'progress rate-bar', role: 'img', 'aria-label': `Success rate ${formatPercent(summary.successRate)}` },
                    h('div', { class: 'progress-fill ok', style: `width:${(summary.successRate * 100).toFixed(1)}%` }),
                  )
                : null,
            ),
          ),
          chartCard(
            'Time per step',
            steps.length === 0
              ? '<p class="empty">No finished steps in this range.</p>'
              : barChart('Mean duration of each step', steps.map((entry) => ({ label: humanize(entry.step).slice(0, 8), value: entry.averageSeconds, title: `${humanize(entry.step)}: ${formatStepSeconds(entry.averageSeconds)} on average over ${entry.runs} runs` })), formatStepSeconds),
          ),
          chartCard(
            'Bytes moved per target cloud',
            targets.every((cloud) => cloud.bytesMoved === 0)
              ? '<p class="empty">No bytes moved in this range.</p>'
              : barChart('Bytes moved per target cloud', targets.map((cloud) => ({ label: cloud.pluginId, value: cloud.bytesMoved, title: `${cloud.pluginId}: ${formatBytes(cloud.bytesMoved)}` })), formatBytes),
          ),
          chartCard('Spend against this month’s budget', budgetMeter(budget)),
        ),
        h('h2', null, 'Per cloud'),
        cloudTable([...sources, ...targets]),
      );
    } catch (error) {
      replace(area, errorBox(error));
    }
  };
  range.addEventListener('change', () => void load());
  await load();
}

function cloudTable(clouds: ReportCloud[]): HTMLElement {
  if (clouds.length === 0) {
    return h('p', { class: 'empty' }, 'No migrations in this range.');
  }
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { 'data-testid': 'clouds' },
      h('caption', { class: 'visually-hidden' }, 'Migrations per cloud'),
      h('thead', null, h('tr', null, ['Cloud', 'As', 'Migrations', 'Succeeded', 'Bytes moved', 'Spend'].map((title, index) => h('th', { scope: 'col', class: index >= 2 ? 'number' : undefined }, title)))),
      h(
        'tbody',
        null,
        clouds.map((cloud) =>
          h(
            'tr',
            null,
            h('th', { scope: 'row' }, cloud.pluginId),
            h('td', null, cloud.role),
            h('td', { class: 'number' }, String(cloud.migrations)),
            h('td', { class: 'number' }, String(cloud.succeeded)),
            h('td', { class: 'number' }, formatBytes(cloud.bytesMoved)),
            h('td', { class: 'number' }, formatMoney(cloud.spend)),
          ),
        ),
      ),
    ),
  );
}

const MONTHS_BACK = 12;
const CHART_MONTHS = 6;

/** Billing (tenant admins): spend per month against the budget, each job's cost, the CSV export. */
export async function billingView(context: Context, main: HTMLElement): Promise<void> {
  const now = new Date();
  const month = h('select', { name: 'month' }, Array.from({ length: MONTHS_BACK }, (_, back) => utcMonth(now, back)).map((value) => h('option', { value }, formatMonth(value))));
  const chartArea = h('div');
  const head = h('div', { class: 'bill-figures' });
  const area = h('div', { 'aria-live': 'polite' });
  replace(
    main,
    h('h1', { tabindex: -1 }, 'Billing'),
    h('p', { class: 'muted' }, 'Each migration’s cost is recorded when it ends, from the accounts’ price sheets (US dollars; data priced per GB of 10⁹ bytes).'),
    chartArea,
    h('h2', null, 'Jobs of a month'),
    h('form', { class: 'bill-head', 'aria-label': 'Billing month', onsubmit: (event: Event) => event.preventDefault() }, field('Month', month), head),
    area,
  );
  const names = new Map((await context.accounts().catch(() => [] as CloudAccount[])).map((account) => [account.id, account.name]));

  // Spend per month, the latest six, against the tenant's monthly budget.
  const months = Array.from({ length: CHART_MONTHS }, (_, back) => utcMonth(now, CHART_MONTHS - 1 - back));
  try {
    const budgets = await Promise.all(months.map((value) => context.api.reportBudget(value)));
    const budget = budgets[budgets.length - 1].budget;
    replace(
      chartArea,
      h(
        'div',
        { class: 'charts' },
        chartCard(
          'Spend per month',
          barChart(
            'Spend per month, the latest six months',
            budgets.map((report) => ({ label: report.month, value: report.spent, title: `${formatMonth(report.month)}: ${formatMoney(report.spent)} spent` })),
            formatMoney,
            budget !== null && budget !== undefined ? { value: budget, label: `budget ${formatMoney(budget)}` } : null,
          ),
        ),
        chartCard(`This month: ${formatMonth(months[months.length - 1])}`, budgetMeter(budgets[budgets.length - 1])),
      ),
    );
  } catch (error) {
    replace(chartArea, errorBox(error));
  }

  const load = async (): Promise<void> => {
    replace(area, h('p', null, 'Loading…'));
    try {
      const bill = await context.api.bill(month.value);
      const days = daysOfMonth(bill.month);
      const bytes = billBytesPerDay(bill.jobs, days);
      const costs = costPerDay(bill.jobs, days);
      const every = (index: number): boolean => index % 4 === 0;
      replace(
        head,
        h('p', { class: 'bill-total' }, `${formatMonth(bill.month)}: `, h('strong', { 'data-testid': 'bill-total' }, formatMoney(bill.total)), ` for ${bill.jobCount} job${bill.jobCount === 1 ? '' : 's'}`),
        h('a', { class: 'button secondary', href: billingExportUrl(bill.month), download: `ferry-billing-${bill.month}.csv`, 'data-testid': 'csv-export' }, `Download ${formatMonth(bill.month)} as CSV`),
      );
      replace(
        area,
        bill.jobs.length === 0
          ? h('p', { class: 'empty' }, 'No job ended in this month.')
          : [
              h(
                'div',
                { class: 'charts' },
                chartCard(
                  'Cost per day',
                  barChart(`Cost per day in ${formatMonth(bill.month)}`, days.map((day, index) => ({ label: every(index) ? day.slice(8) : '', value: costs.get(day) ?? 0, title: `${day}: ${formatMoney(costs.get(day) ?? 0)}` })), formatMoney),
                ),
                chartCard(
                  'Bytes moved per day',
                  barChart(`Bytes moved per day in ${formatMonth(bill.month)}`, days.map((day, index) => ({ label: every(index) ? day.slice(8) : '', value: bytes.get(day) ?? 0, title: `${day}: ${formatBytes(bytes.get(day) ?? 0)}` })), formatBytes),
                ),
              ),
              h(
                'div',
                { class: 'table-wrap' },
                h(
                  'table',
                  { 'data-testid': 'bill' },
                  h('caption', { class: 'visually-hidden' }, `Jobs of ${formatMonth(bill.month)}`),
                  h('thead', null, h('tr', null, ['Migration', 'Source → target', 'State', 'Started by', 'Ended', 'Bytes moved', 'Estimated', 'Cost'].map((title, index) => h('th', { scope: 'col', class: index >= 5 ? 'number' : undefined }, title)))),
                  h(
                    'tbody',
                    null,
                    bill.jobs.map((job) =>
                      h(
                        'tr',
                        { 'data-migration': job.migrationId },
                        h('th', { scope: 'row' }, h('a', { href: `#/migrations/${job.migrationId}` }, job.migrationId.slice(0, 8))),
                        h('td', null, `${names.get(job.sourceAccountId) ?? job.sourcePluginId} → ${names.get(job.targetAccountId) ?? job.targetPluginId}`),
                        h('td', null, stateBadge(job.state)),
                        h('td', null, job.triggerId ? `trigger ${job.triggerId.slice(0, 8)} (${job.createdBy ?? '—'})` : (job.createdBy ?? '—')),
                        h('td', null, formatDateTime(job.finishedAt)),
                        h('td', { class: 'number' }, formatBytes(job.bytesMoved)),
                        h('td', { class: 'number' }, formatMoney(job.estimatedTotal)),
                        h('td', { class: 'number', 'data-testid': 'job-cost' }, formatMoney(job.actualTotal)),
                      ),
                    ),
                  ),
                  h('tfoot', null, h('tr', null, h('th', { scope: 'row', colspan: 7 }, 'Total'), h('td', { class: 'number' }, h('strong', null, formatMoney(bill.total))))),
                ),
              ),
            ],
      );
    } catch (error) {
      replace(area, errorBox(error));
    }
  };
  month.addEventListener('change', () => void load());
  await load();
}
