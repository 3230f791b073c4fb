import { MIGRATION_STATES, type MigrationFilter } from '../api';
import { field, h, replace } from '../dom';
import { humanize } from '../format';
import { type Context, errorBox } from '../context';
import { migrationTable } from './shared';

const PAGE_SIZE = 20;

/** All migrations, filtered by state, accounts and creation time, page by page. */
export async function historyView(context: Context, main: HTMLElement): Promise<void> {
  const accounts = await context.accounts().catch(() => []);
  const names = new Map(accounts.map((account) => [account.id, account.name]));
  const accountOptions = [h('option', { value: '' }, 'Any'), accounts.map((account) => h('option', { value: account.id }, account.name))];
  const state = h('select', { name: 'state' }, h('option', { value: '' }, 'Any'), MIGRATION_STATES.map((value) => h('option', { value }, humanize(value))));
  const source = h('select', { name: 'sourceAccountId' }, accountOptions);
  const target = h('select', { name: 'targetAccountId' }, accountOptions.map((option) => (Array.isArray(option) ? option.map((o) => o.cloneNode(true)) : option.cloneNode(true))));
  const from = h('input', { type: 'date', name: 'createdFrom' });
  const to = h('input', { type: 'date', name: 'createdTo' });
  const results = h('div', { 'aria-live': 'polite' });
  let page = 0;

  const load = async (): Promise<void> => {
    const filter: MigrationFilter = {
      state: state.value || undefined,
      sourceAccountId: source.value || undefined,
      targetAccountId: target.value || undefined,
      createdFrom: from.value ? new Date(`${from.value}T00:00:00`).toISOString() : undefined,
      // "to" is inclusive for people: up to the end of that day.
      createdTo: to.value ? new Date(new Date(`${to.value}T00:00:00`).getTime() + 86_400_000).toISOString() : undefined,
      page,
      size: PAGE_SIZE,
    };
    try {
      const result = await context.api.migrations(filter);
      const previous = h('button', { type: 'button', class: 'secondary', disabled: page === 0, onclick: () => { page--; void load(); } }, 'Previous');
      const next = h('button', { type: 'button', class: 'secondary', disabled: page + 1 >= result.totalPages, onclick: () => { page++; void load(); } }, 'Next');
      replace(
        results,
        migrationTable(result.items, names, 'Migration history'),
        h(
          'nav',
          { class: 'pager', 'aria-label': 'Pages' },
          previous,
          h('span', { 'data-testid': 'page-info' }, `Page ${result.totalPages === 0 ? 0 : result.page + 1} of ${result.totalPages} (${result.totalItems} migrations)`),
          next,
        ),
      );
    } catch (error) {
      replace(results, errorBox(error));
    }
  };
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Filters', onsubmit: (event: Event) => { event.preventDefault(); page = 0; void load(); } },
    field('State', state),
    field('Source account', source),
    field('Target account', target),
    field('Created from', from),
    field('Created to', to),
    h('button', { type: 'submit' }, 'Apply filters'),
  );
  replace(main, h('h1', { tabindex: -1 }, 'History'), form, results);
  await load();
}
