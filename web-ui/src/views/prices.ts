import type { CloudAccount, PriceSheet } from '../api';
import { alertBox, h, replace } from '../dom';
import { type Context, errorBox } from '../context';
import { type CheckedField, checkedField, showCheckFailure, showSaveFailure } from './forms';

const PRICE_FIELDS: Array<[keyof PriceSheet & string, string, string]> = [
  ['egressPerGb', 'Egress per GB', 'What leaving this account costs for each GB (10⁹ bytes) a migration reads from it.'],
  ['helperVmPerHour', 'Helper VM per hour', 'A helper VM in this account, per started hour (helper mode only).'],
  ['imageStoragePerGbMonth', 'Image storage per GB and month', 'A registered image in this account.'],
  ['objectStoragePerGbMonth', 'Object storage per GB and month', 'Bundles kept for images from this account.'],
];

/** Checks the typed prices: dollars, not negative, at most 6 decimals (the API's limits). */
export function priceSheetFrom(values: Record<string, string>): { sheet: PriceSheet | null; errors: Array<{ field: string; message: string }> } {
  const errors: Array<{ field: string; message: string }> = [];
  const sheet: Record<string, number> = {};
  for (const [key] of PRICE_FIELDS) {
    const text = (values[key] ?? '').trim().replace(/^\$/, '');
    if (!/^\d{1,8}(\.\d{1,6})?$/.test(text)) {
      errors.push({ field: key, message: 'a dollar amount such as 0.09 (not negative, at most 6 decimals)' });
    } else {
      sheet[key] = Number(text);
    }
  }
  return errors.length > 0 ? { sheet: null, errors } : { sheet: sheet as unknown as PriceSheet, errors };
}

/** An account's price sheet: the plugin's published defaults, or a tenant admin's override. */
export async function pricesView(context: Context, main: HTMLElement, accountId: string): Promise<void> {
  const accounts = await context.accounts().catch(() => [] as CloudAccount[]);
  const account = accounts.find((candidate) => candidate.id === accountId);
  const title = account ? `Prices of ${account.name}` : 'Prices';
  const status = h('div', { 'aria-live': 'polite' });
  const area = h('div');
  replace(main, h('h1', { tabindex: -1 }, title), h('p', null, h('a', { href: '#/accounts' }, 'Back to the cloud accounts')), status, area);
  const load = async (): Promise<void> => {
    let prices: PriceSheet;
    try {
      prices = await context.api.prices(accountId);
    } catch (error) {
      replace(area, errorBox(error));
      return;
    }
    const admin = context.can('ADMIN');
    const inputs = new Map(PRICE_FIELDS.map(([key]) => [key, h('input', { name: key, inputmode: 'decimal', autocomplete: 'off', value: String(prices[key] ?? 0), readonly: !admin })]));
    const fields: Record<string, CheckedField> = Object.fromEntries(
      PRICE_FIELDS.map(([key, label, hint]) => [key, checkedField(`${label} (US dollars)`, inputs.get(key)!, hint)]),
    );
    const save = h('button', { type: 'submit' }, 'Save prices');
    const reset = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        onclick: async () => {
          try {
            await context.api.resetPrices(accountId);
            replace(status, alertBox('Back to the plugin’s published prices.', 'success'));
            await load();
          } catch (error) {
            replace(status, errorBox(error));
          }
        },
      },
      'Use the plugin’s prices',
    );
    replace(
      area,
      h(
        'form',
        {
          class: 'card',
          'aria-labelledby': 'prices-title',
          novalidate: true,
          onsubmit: async (event: Event) => {
            event.preventDefault();
            const checked = priceSheetFrom(Object.fromEntries([...inputs].map(([key, input]) => [key, input.value])));
            if (!checked.sheet) {
              showCheckFailure(fields, status, checked.errors);
              return;
            }
            try {
              await context.api.setPrices(accountId, { ...checked.sheet, extra: prices.extra ?? {} });
              replace(status, alertBox('Saved the prices. New estimates use them.', 'success'));
              await load();
            } catch (error) {
              showSaveFailure(fields, status, error);
            }
          },
        },
        h('h2', { id: 'prices-title' }, prices.source === 'override' ? 'Prices set by a tenant admin' : 'The plugin’s published prices'),
        h('div', { class: 'field-group' }, PRICE_FIELDS.map(([key]) => fields[key].element)),
        admin ? h('div', { class: 'actions' }, save, prices.source === 'override' ? reset : null) : h('p', { class: 'muted' }, 'Only tenant admins change prices.'),
      ),
    );
  };
  await load();
}
