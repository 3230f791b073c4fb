import type { CloudAccount, Policy, PolicyKind } from '../api';
import { alertBox, h, replace } from '../dom';
import { formatDateTime } from '../format';
import { EMPTY_POLICY_FORM, type PolicyFormValues, policyFormField, policyFormValues, policyRequest, policyRules, policySubject } from '../policies';
import { type Context, errorBox } from '../context';
import { type CheckedField, checkboxGroup, checkedField, showCheckFailure, showSaveFailure } from './forms';

const KIND_LABELS: Record<PolicyKind, string> = {
  ACCESS: 'Allowed accounts and regions',
  LIMIT: 'Limits',
  APPROVAL: 'Approval',
};

/** Policies: everyone in the tenant reads them; tenant admins create, edit and delete them. */
export async function policiesView(context: Context, main: HTMLElement): Promise<void> {
  const admin = context.can('ADMIN');
  const listArea = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading…'));
  const formArea = h('div');
  const status = h('div');
  replace(
    main,
    h('h1', { tabindex: -1 }, 'Policies'),
    h(
      'p',
      { class: 'muted' },
      'Every migration, started by hand or by a trigger, is checked against these rules before it runs. ',
      'A refusal names the policy and the rule. ',
      admin ? null : 'Only tenant admins change policies.',
    ),
    status,
    listArea,
    formArea,
  );
  const accounts = await context.accounts().catch(() => [] as CloudAccount[]);
  const names = new Map(accounts.map((account) => [account.id, account.name]));

  const showForm = (editing: Policy | null): void => {
    if (!admin) {
      return;
    }
    replace(formArea, policyForm(context, accounts, editing, async (message) => {
      showForm(null);
      await load();
      replace(status, alertBox(message, 'success'));
    }, () => showForm(null)));
    if (editing) {
      formArea.querySelector<HTMLElement>('input[name="name"]')?.focus();
    }
  };

  const load = async (): Promise<void> => {
    try {
      const policies = await context.api.policies();
      replace(listArea, policyTable(policies, names, admin, showForm, async (policy) => {
        if (!window.confirm(`Delete the policy "${policy.name}"? Migrations are no longer checked against it.`)) {
          return;
        }
        try {
          await context.api.deletePolicy(policy.id);
          showForm(null);
          await load();
          replace(status, alertBox(`Deleted the policy "${policy.name}".`, 'success'));
        } catch (error) {
          replace(status, errorBox(error));
        }
      }));
    } catch (error) {
      replace(listArea, errorBox(error));
    }
  };
  await load();
  showForm(null);
}

function policyTable(
  policies: Policy[],
  names: Map<string, string>,
  admin: boolean,
  edit: (policy: Policy) => void,
  remove: (policy: Policy) => Promise<void>,
): HTMLElement {
  if (policies.length === 0) {
    return h('p', { class: 'empty' }, 'No policies: every user may migrate between any accounts, without limits or approval.');
  }
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { 'data-testid': 'policies' },
      h('caption', { class: 'visually-hidden' }, 'Policies'),
      h('thead', null, h('tr', null, ['Name', 'Kind', 'Applies to', 'Rules', 'Changed', admin ? 'Actions' : null].filter(Boolean).map((title) => h('th', { scope: 'col' }, title)))),
      h(
        'tbody',
        null,
        policies.map((policy) =>
          h(
            'tr',
            { 'data-policy': policy.name },
            h('th', { scope: 'row' }, policy.name),
            h('td', null, h('span', { class: `badge kind-${policy.kind.toLowerCase()}` }, KIND_LABELS[policy.kind] ?? policy.kind)),
            h('td', null, policySubject(policy)),
            h('td', null, h('ul', { class: 'rules' }, policyRules(policy, names).map((rule) => h('li', null, rule)))),
            h('td', null, formatDateTime(policy.updatedAt)),
            admin
              ? h(
                  'td',
                  null,
                  h(
                    'div',
                    { class: 'actions' },
                    h('button', { type: 'button', class: 'secondary', 'aria-label': `Edit policy ${policy.name}`, onclick: () => edit(policy) }, 'Edit'),
                    h('button', { type: 'button', class: 'danger', 'aria-label': `Delete policy ${policy.name}`, onclick: () => void remove(policy) }, 'Delete'),
                  ),
                )
              : null,
          ),
        ),
      ),
    ),
  );
}

function policyForm(
  context: Context,
  accounts: CloudAccount[],
  editing: Policy | null,
  saved: (message: string) => Promise<void>,
  cancel: () => void,
): HTMLElement {
  const values: PolicyFormValues = editing ? policyFormValues(editing) : { ...EMPTY_POLICY_FORM };
  const status = h('div');
  const name = h('input', { name: 'name', required: true, maxlength: 100, autocomplete: 'off', value: values.name });
  const kind = h(
    'select',
    { name: 'kind' },
    (Object.keys(KIND_LABELS) as PolicyKind[]).map((value) => h('option', { value, selected: value === values.kind }, KIND_LABELS[value])),
  );
  const subject = h(
    'select',
    { name: 'subject' },
    h('option', { value: '', selected: values.subject === '' }, 'Everyone in the tenant'),
    h('option', { value: 'role', selected: values.subject === 'role' }, 'One role'),
    h('option', { value: 'user', selected: values.subject === 'user' }, 'One user'),
  );
  const role = h(
    'select',
    { name: 'subjectRole' },
    ['VIEWER', 'OPERATOR', 'ADMIN'].map((value) => h('option', { value, selected: value === values.subjectRole }, value.charAt(0) + value.slice(1).toLowerCase())),
  );
  const username = h('input', { name: 'subjectUsername', autocomplete: 'off', maxlength: 100, value: values.subjectUsername });
  const accountOptions = accounts.map((account) => ({ value: account.id, label: `${account.name} (${account.pluginId}${account.region ? `, ${account.region}` : ''})` }));
  const sources = checkboxGroup('Source accounts', 'sourceAccountIds', accountOptions, values.sourceAccountIds, 'None ticked: any source account.');
  const targets = checkboxGroup('Target accounts', 'targetAccountIds', accountOptions, values.targetAccountIds, 'None ticked: any target account.');
  const regions = h('input', { name: 'regions', autocomplete: 'off', value: values.regions, placeholder: 'eu-west-1, eu-central-1' });
  const maxImage = h('input', { name: 'maxImageGib', inputmode: 'decimal', autocomplete: 'off', value: values.maxImageGib });
  const concurrent = h('input', { name: 'maxConcurrentMigrations', inputmode: 'numeric', autocomplete: 'off', value: values.maxConcurrentMigrations });
  const budget = h('input', { name: 'monthlyBudget', inputmode: 'decimal', autocomplete: 'off', value: values.monthlyBudget });
  const minimum = h('input', { name: 'approvalMinCost', inputmode: 'decimal', autocomplete: 'off', value: values.approvalMinCost });

  const fields: Record<string, CheckedField> = {
    name: checkedField('Name', name),
    kind: checkedField('What it does', kind),
    subject: checkedField('Applies to', subject, 'A rule for a role applies to that role only, not to the roles above it.'),
    subjectRole: checkedField('Role', role),
    subjectUsername: checkedField('User name', username),
    sourceAccountIds: sources,
    targetAccountIds: targets,
    regions: checkedField('Regions', regions, 'Both accounts must be in one of these regions. Empty: any region.'),
    maxImageGib: checkedField('Largest image (GiB)', maxImage, 'The source image’s size.'),
    maxConcurrentMigrations: checkedField('Migrations at a time', concurrent, 'Queued or running in the whole tenant; those waiting for approval do not count.'),
    monthlyBudget: checkedField('Monthly budget (US dollars)', budget, 'For the whole tenant per calendar month (UTC): spent plus the estimates of unfinished migrations.'),
    approvalMinCost: checkedField('Only from this estimate on (US dollars)', minimum, 'Empty: every matching migration waits for an admin.'),
  };
  const groups = {
    accounts: h('div', { class: 'field-group' }, sources.element, targets.element),
    regions: fields.regions.element,
    limits: h('div', { class: 'field-group three' }, fields.maxImageGib.element, fields.maxConcurrentMigrations.element, fields.monthlyBudget.element),
    approval: fields.approvalMinCost.element,
  };
  const update = (): void => {
    const chosen = kind.value as PolicyKind;
    groups.accounts.hidden = chosen === 'LIMIT';
    groups.regions.hidden = chosen !== 'ACCESS';
    groups.limits.hidden = chosen !== 'LIMIT';
    groups.approval.hidden = chosen !== 'APPROVAL';
    fields.subjectRole.element.hidden = subject.value !== 'role';
    fields.subjectUsername.element.hidden = subject.value !== 'user';
  };
  kind.addEventListener('change', update);
  subject.addEventListener('change', update);
  update();

  const submit = h('button', { type: 'submit' }, editing ? 'Save policy' : 'Create policy');
  const form = h(
    'form',
    {
      class: 'card policy-form',
      'aria-labelledby': 'policy-form-title',
      novalidate: true,
      onsubmit: async (event: Event) => {
        event.preventDefault();
        replace(status);
        const checked = policyRequest({
          name: name.value,
          kind: kind.value as PolicyKind,
          subject: subject.value as PolicyFormValues['subject'],
          subjectRole: role.value,
          subjectUsername: username.value,
          sourceAccountIds: sources.values(),
          targetAccountIds: targets.values(),
          regions: regions.value,
          maxImageGib: maxImage.value,
          maxConcurrentMigrations: concurrent.value,
          monthlyBudget: budget.value,
          approvalMinCost: minimum.value,
        });
        if (!checked.request) {
          showCheckFailure(fields, status, checked.errors);
          return;
        }
        submit.disabled = true;
        try {
          const policy = editing ? await context.api.updatePolicy(editing.id, checked.request) : await context.api.createPolicy(checked.request);
          await saved(editing ? `Saved the policy "${policy.name}".` : `Created the policy "${policy.name}".`);
        } catch (error) {
          showSaveFailure(fields, status, error, policyFormField);
          submit.disabled = false;
        }
      },
    },
    h('h2', { id: 'policy-form-title' }, editing ? `Edit policy ${editing.name}` : 'New policy'),
    h('div', { class: 'field-group' }, fields.name.element, fields.kind.element),
    h('div', { class: 'field-group' }, fields.subject.element, fields.subjectRole.element, fields.subjectUsername.element),
    groups.accounts,
    groups.regions,
    groups.limits,
    groups.approval,
    status,
    h('div', { class: 'actions' }, submit, editing ? h('button', { type: 'button', class: 'secondary', onclick: cancel }, 'Cancel editing') : null),
  );
  return form;
}
