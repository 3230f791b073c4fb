import type { ApiTokenView } from '../api';
import { alertBox, field, h, replace } from '../dom';
import { formatDateTime } from '../format';
import { type Context, errorBox } from '../context';

const AUDIT_PAGE_SIZE = 50;

/** The audit log (admins). */
export async function auditView(context: Context, main: HTMLElement): Promise<void> {
  const area = h('div', { 'aria-live': 'polite' });
  replace(main, h('h1', { tabindex: -1 }, 'Audit log'), area);
  let page = 0;
  const load = async (): Promise<void> => {
    try {
      const result = await context.api.audit(page, AUDIT_PAGE_SIZE);
      replace(
        area,
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            null,
            h('caption', { class: 'visually-hidden' }, 'Audit events'),
            h('thead', null, h('tr', null, ['When', 'Who', 'Action', 'Target', 'Outcome', 'Status'].map((title) => h('th', { scope: 'col' }, title)))),
            h(
              'tbody',
              null,
              result.items.map((event) =>
                h(
                  'tr',
                  null,
                  h('td', null, formatDateTime(event.occurredAt)),
                  h('td', null, event.actor ?? '—'),
                  h('td', null, event.action),
                  h('td', null, event.target ?? '—'),
                  h('td', null, event.outcome),
                  h('td', null, String(event.status)),
                ),
              ),
            ),
          ),
        ),
        h(
          'nav',
          { class: 'pager', 'aria-label': 'Pages' },
          h('button', { type: 'button', class: 'secondary', disabled: page === 0, onclick: () => { page--; void load(); } }, 'Previous'),
          h('span', null, `Page ${result.totalPages === 0 ? 0 : result.page + 1} of ${result.totalPages}`),
          h('button', { type: 'button', class: 'secondary', disabled: page + 1 >= result.totalPages, onclick: () => { page++; void load(); } }, 'Next'),
        ),
      );
    } catch (error) {
      replace(area, errorBox(error));
    }
  };
  await load();
}

/** API tokens: create (shown once, with a copy button), list, revoke. */
export async function tokensView(context: Context, main: HTMLElement): Promise<void> {
  const listArea = h('div', { 'aria-live': 'polite' });
  const created = h('div');
  const name = h('input', { name: 'tokenName', required: true, autocomplete: 'off', maxlength: 100 });
  const expires = h('input', { type: 'date', name: 'expiresAt' });
  const load = async (): Promise<void> => {
    try {
      replace(listArea, tokenTable(context, await context.api.tokens(), load, listArea));
    } catch (error) {
      replace(listArea, errorBox(error));
    }
  };
  const form = h(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'new-token-title',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        try {
          const token = await context.api.createToken(name.value.trim(), expires.value ? new Date(`${expires.value}T23:59:59`).toISOString() : undefined);
          const value = h('input', { readonly: true, value: token.token, 'aria-label': 'The new token', class: 'token-value', 'data-testid': 'new-token' });
          const copy = h(
            'button',
            {
              type: 'button',
              onclick: async () => {
                try {
                  await navigator.clipboard.writeText(token.token);
                  copy.textContent = 'Copied';
                } catch {
                  value.select();
                  copy.textContent = 'Press Ctrl+C to copy';
                }
              },
            },
            'Copy',
          );
          replace(
            created,
            h(
              'div',
              { class: 'notice success', role: 'status' },
              h('p', null, `Token "${token.name}" created. Copy it now: it is not shown again.`),
              h('div', { class: 'inline' }, value, copy),
            ),
          );
          value.focus();
          value.select();
          form.reset();
          await load();
        } catch (error) {
          replace(created, errorBox(error));
        }
      },
    },
    h('h2', { id: 'new-token-title' }, 'New token'),
    field('Name', name, 'What the token is for, such as the CI pipeline'),
    field('Expires (optional)', expires),
    h('button', { type: 'submit' }, 'Create token'),
  );
  replace(main, h('h1', { tabindex: -1 }, 'API tokens'), form, created, listArea);
  await load();
}

function tokenTable(context: Context, tokens: ApiTokenView[], reload: () => Promise<void>, area: HTMLElement): HTMLElement {
  if (tokens.length === 0) {
    return h('p', { class: 'empty' }, 'No tokens.');
  }
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      null,
      h('caption', { class: 'visually-hidden' }, 'API tokens'),
      h('thead', null, h('tr', null, ['Name', 'Token starts with', 'Created', 'Expires', 'State', 'Actions'].map((title) => h('th', { scope: 'col' }, title)))),
      h(
        'tbody',
        null,
        tokens.map((token) =>
          h(
            'tr',
            null,
            h('td', null, token.name),
            h('td', null, h('code', null, token.prefix)),
            h('td', null, formatDateTime(token.createdAt)),
            h('td', null, formatDateTime(token.expiresAt)),
            h('td', null, token.revokedAt ? `revoked ${formatDateTime(token.revokedAt)}` : 'active'),
            h(
              'td',
              null,
              token.revokedAt
                ? null
                : h(
                    'button',
                    {
                      type: 'button',
                      class: 'danger',
                      'aria-label': `Revoke token ${token.name}`,
                      onclick: async () => {
                        if (!window.confirm(`Revoke the token "${token.name}"? Pipelines using it stop working.`)) {
                          return;
                        }
                        try {
                          await context.api.revokeToken(token.id);
                          await reload();
                        } catch (error) {
                          area.prepend(alertBox(String((error as Error).message)));
                        }
                      },
                    },
                    'Revoke',
                  ),
            ),
          ),
        ),
      ),
    ),
  );
}
