import type { Migration } from '../api';
import { h } from '../dom';
import { formatDateTime, humanize } from '../format';

export function stateBadge(state: string): HTMLElement {
  return h('span', { class: `badge state-${state.toLowerCase()}` }, humanize(state));
}

export function progressBar(percentDone: number | null, label: string): HTMLElement {
  const value = percentDone ?? 0;
  return h(
    'div',
    {
      class: 'progress',
      role: 'progressbar',
      'aria-label': label,
      'aria-valuemin': 0,
      'aria-valuemax': 100,
      'aria-valuenow': percentDone === null ? undefined : value,
    },
    h('div', { class: 'progress-fill', style: `width:${value}%` }),
  );
}

/** The table of migrations shared by the overview and the history. */
export function migrationTable(migrations: Migration[], names: Map<string, string>, caption: string): HTMLElement {
  if (migrations.length === 0) {
    return h('p', { class: 'empty' }, 'No migrations yet.');
  }
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      null,
      h('caption', { class: 'visually-hidden' }, caption),
      h(
        'thead',
        null,
        h('tr', null, ['Migration', 'Source', 'Target', 'State', 'Progress', 'Created'].map((title) => h('th', { scope: 'col' }, title))),
      ),
      h(
        'tbody',
        null,
        migrations.map((migration) =>
          h(
            'tr',
            null,
            h('td', null, h('a', { href: `#/migrations/${migration.id}` }, migration.id.slice(0, 8))),
            h('td', null, `${names.get(migration.sourceAccountId) ?? migration.sourceAccountId.slice(0, 8)}: ${migration.sourceImageId}`),
            h('td', null, names.get(migration.targetAccountId) ?? migration.targetAccountId.slice(0, 8)),
            h('td', null, stateBadge(migration.state)),
            h('td', null, `${migration.progressPercent}%`),
            h('td', null, formatDateTime(migration.createdAt)),
          ),
        ),
      ),
    ),
  );
}
