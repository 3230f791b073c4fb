import type { CloudAccount, Plugin } from '../api';
import { alertBox, field, h, replace } from '../dom';
import { formatBytes, formatDateTime } from '../format';
import { type Context, errorBox } from '../context';

/** Cloud accounts: list, add (the server checks the credentials), remove. */
export async function accountsView(context: Context, main: HTMLElement): Promise<void> {
  const listArea = h('div', { 'aria-live': 'polite' });
  const formArea = h('div');
  replace(main, h('h1', { tabindex: -1 }, 'Cloud accounts'), listArea, formArea);

  const refreshList = async (): Promise<void> => {
    try {
      const accounts = await context.accounts(true);
      replace(listArea, accountTable(context, accounts, refreshList));
    } catch (error) {
      replace(listArea, errorBox(error));
    }
  };
  await refreshList();
  if (context.can('ADMIN')) {
    try {
      const plugins = await context.api.plugins();
      replace(formArea, accountForm(context, plugins, refreshList));
    } catch (error) {
      replace(formArea, errorBox(error));
    }
  }
}

function accountTable(context: Context, accounts: CloudAccount[], refresh: () => Promise<void>): HTMLElement {
  if (accounts.length === 0) {
    return h('p', { class: 'empty' }, 'No cloud accounts yet.');
  }
  const status = h('div');
  return h(
    'div',
    null,
    status,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        null,
        h('caption', { class: 'visually-hidden' }, 'Cloud accounts'),
        h('thead', null, h('tr', null, ['Name', 'Cloud', 'Region', 'Images refreshed', 'Actions'].map((title) => h('th', { scope: 'col' }, title)))),
        h(
          'tbody',
          null,
          accounts.map((account) =>
            h(
              'tr',
              null,
              h('td', null, account.name),
              h('td', null, account.pluginId),
              h('td', null, account.region || '—'),
              h('td', null, formatDateTime(account.imagesRefreshedAt)),
              h(
                'td',
                { class: 'actions' },
                h('a', { href: `#/accounts/${account.id}/images`, class: 'button secondary' }, 'Images'),
                h('a', { href: `#/accounts/${account.id}/prices`, class: 'button secondary', 'aria-label': `Prices of ${account.name}` }, 'Prices'),
                context.can('ADMIN')
                  ? h(
                      'button',
                      {
                        type: 'button',
                        class: 'danger',
                        'aria-label': `Remove account ${account.name}`,
                        onclick: async () => {
                          if (!window.confirm(`Remove the cloud account "${account.name}"? Its images stay in the cloud.`)) {
                            return;
                          }
                          try {
                            await context.api.deleteAccount(account.id);
                            await refresh();
                          } catch (error) {
                            replace(status, errorBox(error));
                          }
                        },
                      },
                      'Remove',
                    )
                  : null,
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

function accountForm(context: Context, plugins: Plugin[], refresh: () => Promise<void>): HTMLElement {
  const status = h('div');
  const pluginSelect = h(
    'select',
    { name: 'pluginId', required: true },
    plugins.map((plugin) => h('option', { value: plugin.id }, `${plugin.displayName} (${plugin.id})`)),
  );
  const name = h('input', { name: 'name', required: true, autocomplete: 'off', pattern: '[A-Za-z0-9][A-Za-z0-9 ._\\-]*' });
  const region = h('input', { name: 'region', autocomplete: 'off' });
  const properties = h('fieldset', null);
  const controls = new Map<string, { input: HTMLInputElement; secret: boolean }>();

  const showProperties = (): void => {
    const plugin = plugins.find((candidate) => candidate.id === pluginSelect.value);
    controls.clear();
    const rows = (plugin?.properties ?? []).map((property) => {
      const input = h('input', {
        name: property.key,
        type: property.secret ? 'password' : 'text',
        required: property.required,
        autocomplete: property.secret ? 'new-password' : 'off',
        placeholder: property.defaultValue ?? undefined,
      });
      controls.set(property.key, { input, secret: property.secret });
      const label = `${property.key}${property.required ? ' (required)' : ''}${property.secret ? ' — secret' : ''}`;
      return field(label, input, property.description);
    });
    replace(properties, h('legend', null, `${plugin?.displayName ?? 'Plugin'} settings`), rows);
  };
  pluginSelect.addEventListener('change', showProperties);
  showProperties();

  const submit = h('button', { type: 'submit' }, 'Check and add account');
  const form = h(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'add-account-title',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const settings: Record<string, string> = {};
        const secrets: Record<string, string> = {};
        for (const [key, control] of controls) {
          if (control.input.value !== '') {
            (control.secret ? secrets : settings)[key] = control.input.value;
          }
        }
        submit.disabled = true;
        replace(status, alertBox('Checking the credentials with the cloud…', 'info'));
        try {
          const account = await context.api.createAccount({
            pluginId: pluginSelect.value,
            name: name.value.trim(),
            region: region.value.trim() || undefined,
            settings,
            secrets,
          });
          replace(status, alertBox(`Added cloud account "${account.name}".`, 'success'));
          form.reset();
          showProperties();
          await refresh();
        } catch (error) {
          replace(status, errorBox(error));
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('h2', { id: 'add-account-title' }, 'Add a cloud account'),
    field('Cloud', pluginSelect),
    field('Name', name, 'Letters, digits, space and . _ -'),
    field('Region', region),
    properties,
    status,
    submit,
  );
  return form;
}

/** The image catalogue of one account. */
export async function imagesView(context: Context, main: HTMLElement, accountId: string): Promise<void> {
  const area = h('div', { 'aria-live': 'polite' });
  const accounts = await context.accounts().catch(() => [] as CloudAccount[]);
  const account = accounts.find((candidate) => candidate.id === accountId);
  const title = account ? `Images of ${account.name}` : 'Images';
  const refresh = h('button', { type: 'button', class: 'secondary' }, 'Refresh from the cloud');
  replace(main, h('h1', { tabindex: -1 }, title), context.can('OPERATOR') ? refresh : null, area);
  const show = async (load: () => Promise<import('../api').CatalogueImage[]>): Promise<void> => {
    try {
      const images = await load();
      replace(area, imageTable(images));
    } catch (error) {
      replace(area, errorBox(error));
    }
  };
  refresh.addEventListener('click', async () => {
    refresh.disabled = true;
    await show(() => context.api.refreshImages(accountId));
    refresh.disabled = false;
  });
  await show(() => context.api.images(accountId));
}

function imageTable(images: import('../api').CatalogueImage[]): HTMLElement {
  if (images.length === 0) {
    return h('p', { class: 'empty' }, 'No images in this account’s catalogue. Refresh it from the cloud.');
  }
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      null,
      h('caption', { class: 'visually-hidden' }, 'Images'),
      h('thead', null, h('tr', null, ['Image', 'OS', 'Format', 'Size', 'Cloud layer', 'Boot', 'Architecture'].map((title) => h('th', { scope: 'col' }, title)))),
      h(
        'tbody',
        null,
        images.map((image) =>
          h(
            'tr',
            null,
            h('td', null, h('strong', null, image.name || image.id), image.name && image.name !== image.id ? h('div', { class: 'muted' }, image.id) : null),
            h('td', null, image.osName || '—'),
            h('td', null, image.format || '—'),
            h('td', null, formatBytes(image.virtualSize)),
            h('td', null, image.cloudLayer || '—'),
            h('td', null, image.bootMode || '—'),
            h('td', null, image.architecture || '—'),
          ),
        ),
      ),
    ),
  );
}
