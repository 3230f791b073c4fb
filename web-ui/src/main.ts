import './styles.css';
import { Api } from './api';
import { type Context as ContextType, Context, errorText } from './context';
import { alertBox, field, h, replace } from './dom';
import { accountsView, imagesView } from './views/accounts';
import { auditView, tokensView } from './views/admin';
import { approvalsView } from './views/approvals';
import { policiesView } from './views/policies';
import { pricesView } from './views/prices';
import { billingView, reportsView } from './views/reports';
import { triggersView } from './views/triggers';
import { detailView } from './views/detail';
import { historyView } from './views/history';
import { migrateView } from './views/migrate';
import { overviewView } from './views/overview';

const api = new Api();
const context = new Context(api);
const root = document.getElementById('app') as HTMLElement;

interface Route {
  pattern: RegExp;
  title: string;
  render: (context: ContextType, main: HTMLElement, ...parameters: string[]) => Promise<void>;
}

const ROUTES: Route[] = [
  { pattern: /^#?\/?$/, title: 'Overview', render: overviewView },
  { pattern: /^#\/accounts$/, title: 'Cloud accounts', render: accountsView },
  { pattern: /^#\/accounts\/([^/]+)\/images$/, title: 'Images', render: imagesView },
  { pattern: /^#\/migrate$/, title: 'New migration', render: migrateView },
  { pattern: /^#\/migrations$/, title: 'History', render: historyView },
  { pattern: /^#\/migrations\/([^/]+)$/, title: 'Migration', render: detailView },
  { pattern: /^#\/accounts\/([^/]+)\/prices$/, title: 'Prices', render: pricesView },
  { pattern: /^#\/approvals$/, title: 'Approvals', render: approvalsView },
  { pattern: /^#\/policies$/, title: 'Policies', render: policiesView },
  { pattern: /^#\/triggers$/, title: 'Triggers', render: triggersView },
  { pattern: /^#\/reports$/, title: 'Reports', render: reportsView },
  { pattern: /^#\/billing$/, title: 'Billing', render: billingView },
  { pattern: /^#\/audit$/, title: 'Audit log', render: auditView },
  { pattern: /^#\/tokens$/, title: 'API tokens', render: tokensView },
];

function navigation(current: string): HTMLElement {
  const links: Array<[string, string, boolean]> = [
    ['#/', 'Overview', true],
    ['#/migrate', 'New migration', true],
    ['#/migrations', 'History', true],
    ['#/approvals', 'Approvals', context.can('ADMIN')],
    ['#/policies', 'Policies', true],
    ['#/triggers', 'Triggers', true],
    ['#/reports', 'Reports', true],
    ['#/billing', 'Billing', context.can('ADMIN')],
    ['#/accounts', 'Cloud accounts', true],
    ['#/tokens', 'API tokens', true],
    ['#/audit', 'Audit log', context.can('ADMIN')],
  ];
  const active = (href: string): boolean =>
    href === '#/' ? current === '' || current === '#/' || current === '#' : current === href || current.startsWith(`${href}/`);
  return h(
    'nav',
    { class: 'main-nav', 'aria-label': 'Main' },
    h(
      'ul',
      null,
      links
        .filter(([, , visible]) => visible)
        .map(([href, label]) =>
          h(
            'li',
            null,
            h(
              'a',
              {
                href,
                'aria-current': active(href) ? 'page' : undefined,
                // The link of the page shown reloads it (the hash does not change, so no hashchange).
                onclick: (event: Event) => {
                  if (location.hash === href || (href === '#/' && (location.hash === '' || location.hash === '#'))) {
                    event.preventDefault();
                    void route();
                  }
                },
              },
              label,
            ),
          ),
        ),
    ),
  );
}

function shell(main: HTMLElement): void {
  const user = context.user!;
  const signOut = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      onclick: async () => {
        try {
          await api.logout();
        } catch {
          // signed out either way
        }
        context.user = null;
        localStorage.removeItem(SIGNED_IN_HINT);
        showLogin();
      },
    },
    'Sign out',
  );
  replace(
    root,
    h(
      'header',
      { class: 'top' },
      h('a', { href: '#/', class: 'brand' }, 'Ferry'),
      navigation(location.hash),
      h('div', { class: 'who' }, h('span', { 'data-testid': 'who' }, `${user.username} · ${user.role.toLowerCase()}`), signOut),
    ),
    main,
  );
}

async function route(): Promise<void> {
  context.runCleanups();
  if (!context.user) {
    showLogin();
    return;
  }
  const hash = location.hash || '#/';
  const main = h('main', { id: 'main', tabindex: -1 });
  shell(main);
  const found = ROUTES.find((candidate) => candidate.pattern.test(hash));
  if (!found) {
    replace(main, h('h1', { tabindex: -1 }, 'Not found'), h('p', null, h('a', { href: '#/' }, 'Back to the overview')));
    return;
  }
  document.title = `${found.title} · Ferry`;
  const parameters = (found.pattern.exec(hash) ?? []).slice(1).map(decodeURIComponent);
  try {
    await found.render(context, main, ...parameters);
  } catch (error) {
    main.append(alertBox(errorText(error)));
  }
  // Move focus to the new page's heading so keyboard and screen reader users start there.
  const heading = main.querySelector('h1');
  if (heading instanceof HTMLElement && document.activeElement === document.body) {
    heading.focus();
  }
}

function showLogin(message?: string): void {
  context.runCleanups();
  document.title = 'Sign in · Ferry';
  const username = h('input', { name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const status = h('div', null, message ? alertBox(message, 'info') : null);
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    {
      class: 'card login',
      'aria-labelledby': 'login-title',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        submit.disabled = true;
        try {
          context.user = await api.login(username.value.trim(), password.value);
          localStorage.setItem(SIGNED_IN_HINT, 'yes');
          await context.accounts(true).catch(() => []);
          void route();
        } catch (error) {
          replace(status, alertBox(errorText(error)));
          password.select();
          submit.disabled = false;
        }
      },
    },
    h('h1', { id: 'login-title' }, 'Sign in to Ferry'),
    field('User name', username),
    field('Password', password),
    status,
    submit,
  );
  replace(root, h('main', { id: 'main', class: 'login-page' }, form));
  username.focus();
}

api.onUnauthenticated = () => {
  if (context.user) {
    context.user = null;
    localStorage.removeItem(SIGNED_IN_HINT);
    showLogin('Your session has ended. Please sign in again.');
  }
};

window.addEventListener('hashchange', () => void route());

// Whether this browser signed in before: only then ask the server who we are, so a first visit
// shows the sign-in form without a refused request.
const SIGNED_IN_HINT = 'ferry.signedIn';

(async () => {
  context.user = null;
  if (localStorage.getItem(SIGNED_IN_HINT) === 'yes') {
    try {
      context.user = await api.me();
    } catch {
      localStorage.removeItem(SIGNED_IN_HINT);
    }
  }
  await route();
})();
