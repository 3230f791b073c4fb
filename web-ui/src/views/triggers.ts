import type { CloudAccount, Trigger, TriggerEvent, TriggerKind } from '../api';
import { alertBox, h, replace } from '../dom';
import { formatDateTime } from '../format';
import { nextFiring, triggerCondition, triggerFormValues, triggerHistory, triggerImages, triggerRequest, type TriggerFormValues } from '../triggers';
import { type Context, errorBox } from '../context';
import { type CheckedField, checkboxGroup, checkedField, showCheckFailure, showSaveFailure } from './forms';

const KIND_LABELS: Record<TriggerKind, string> = {
  SCHEDULE: 'On a schedule (cron)',
  IMAGE: 'New or updated image',
  PRICE: 'Target cheaper to run',
};

/** Triggers: migrations that start themselves; tenant admins create and own them. */
export async function triggersView(context: Context, main: HTMLElement): Promise<void> {
  const admin = context.can('ADMIN');
  const listArea = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading…'));
  const formArea = h('div');
  const status = h('div', { 'aria-live': 'polite' });
  replace(
    main,
    h('h1', { tabindex: -1 }, 'Triggers'),
    h(
      'p',
      { class: 'muted' },
      'A trigger migrates the matching images of a source account to each target when its condition is met, at most once per event, ',
      'as its owner: the same policies and budget apply. ',
      admin ? null : 'Only tenant admins change triggers.',
    ),
    status,
    h('div', { class: 'actions list-actions' }, h('button', { type: 'button', class: 'secondary', onclick: () => void load() }, 'Refresh the list')),
    listArea,
    formArea,
  );
  const accounts = await context.accounts().catch(() => [] as CloudAccount[]);
  const names = new Map(accounts.map((account) => [account.id, account.name]));

  const showForm = (editing: Trigger | null): void => {
    if (admin) {
      replace(formArea, triggerForm(context, accounts, editing, async (message) => {
        showForm(null);
        await load();
        replace(status, alertBox(message, 'success'));
      }, () => showForm(null)));
      if (editing) {
        formArea.querySelector<HTMLElement>('input[name="name"]')?.focus();
      }
    }
  };

  const load = async (): Promise<void> => {
    let triggers: Trigger[];
    try {
      triggers = await context.api.triggers();
    } catch (error) {
      replace(listArea, errorBox(error));
      return;
    }
    const events = await Promise.all(triggers.map((trigger) => context.api.triggerEvents(trigger.id).catch(() => [] as TriggerEvent[])));
    const act = async (work: () => Promise<unknown>, message: string): Promise<void> => {
      try {
        await work();
        await load();
        replace(status, alertBox(message, 'success'));
      } catch (error) {
        replace(status, errorBox(error));
      }
    };
    replace(
      listArea,
      triggers.length === 0
        ? h('p', { class: 'empty' }, 'No triggers yet.')
        : h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { 'data-testid': 'triggers' },
              h('caption', { class: 'visually-hidden' }, 'Triggers'),
              h(
                'thead',
                null,
                h('tr', null, ['Name', 'When', 'What', 'Last fired', 'Next', 'Migrations started', admin ? 'Actions' : null].filter(Boolean).map((title) => h('th', { scope: 'col' }, title))),
              ),
              h(
                'tbody',
                null,
                triggers.map((trigger, index) => {
                  const history = triggerHistory(events[index]);
                  const toggle = (): Promise<void> => {
                    const { request } = triggerRequest({ ...triggerFormValues(trigger), enabled: !trigger.enabled });
                    return request
                      ? act(() => context.api.updateTrigger(trigger.id, request), `${trigger.enabled ? 'Disabled' : 'Enabled'} the trigger "${trigger.name}".`)
                      : Promise.resolve();
                  };
                  return h(
                    'tr',
                    { 'data-trigger': trigger.name, class: trigger.enabled ? undefined : 'disabled' },
                    h('th', { scope: 'row' }, trigger.name, h('div', null, h('span', { class: `badge ${trigger.enabled ? 'state-succeeded' : 'state-skipped'}` }, trigger.enabled ? 'Enabled' : 'Disabled'))),
                    h(
                      'td',
                      null,
                      trigger.kind === 'SCHEDULE'
                        ? ['on the schedule ', h('code', { class: 'nowrap' }, trigger.cron ?? '?'), ' (UTC)']
                        : triggerCondition(trigger),
                    ),
                    h(
                      'td',
                      null,
                      `${triggerImages(trigger)} of ${names.get(trigger.sourceAccountId) ?? trigger.sourceAccountId.slice(0, 8)} → `,
                      trigger.targetAccountIds.map((id) => names.get(id) ?? id.slice(0, 8)).join(', '),
                    ),
                    h('td', null, history.lastFiredAt ? formatDateTime(history.lastFiredAt) : 'never',
                      history.refused.length > 0 ? h('div', { class: 'error-text small' }, `last refusal: ${history.refused[0].outcome}`) : null),
                    h('td', null, nextFiring(trigger)),
                    h(
                      'td',
                      null,
                      history.migrationIds.length === 0
                        ? 'none yet'
                        : h('ul', { class: 'links' }, history.migrationIds.slice(0, 5).map((id) => h('li', null, h('a', { href: `#/migrations/${id}` }, id.slice(0, 8))))),
                      history.migrationIds.length > 5 ? h('div', { class: 'muted' }, `and ${history.migrationIds.length - 5} more`) : null,
                    ),
                    admin
                      ? h(
                          'td',
                          null,
                          h(
                            'div',
                            { class: 'actions' },
                            h('button', { type: 'button', class: 'secondary', 'aria-label': `${trigger.enabled ? 'Disable' : 'Enable'} trigger ${trigger.name}`, onclick: () => void toggle() }, trigger.enabled ? 'Disable' : 'Enable'),
                            h('button', { type: 'button', class: 'secondary', 'aria-label': `Edit trigger ${trigger.name}`, onclick: () => showForm(trigger) }, 'Edit'),
                            h(
                              'button',
                              {
                                type: 'button',
                                class: 'danger',
                                'aria-label': `Delete trigger ${trigger.name}`,
                                onclick: () => {
                                  if (window.confirm(`Delete the trigger "${trigger.name}"? The migrations it started stay.`)) {
                                    void act(() => context.api.deleteTrigger(trigger.id), `Deleted the trigger "${trigger.name}".`);
                                  }
                                },
                              },
                              'Delete',
                            ),
                          ),
                        )
                      : null,
                  );
                }),
              ),
            ),
          ),
    );
  };
  await load();
  showForm(null);
}

function triggerForm(
  context: Context,
  accounts: CloudAccount[],
  editing: Trigger | null,
  saved: (message: string) => Promise<void>,
  cancel: () => void,
): HTMLElement {
  const values: TriggerFormValues = editing
    ? triggerFormValues(editing)
    : { name: '', kind: 'SCHEDULE', cron: '0 0 2 * * *', sourceAccountId: accounts[0]?.id ?? '', imageNamePattern: '*', imageTags: '', targetAccountIds: [], priceDropPercent: '', targetImageName: '', enabled: true };
  const status = h('div');
  const name = h('input', { name: 'name', autocomplete: 'off', maxlength: 100, value: values.name });
  const kind = h('select', { name: 'kind' }, (Object.keys(KIND_LABELS) as TriggerKind[]).map((value) => h('option', { value, selected: value === values.kind }, KIND_LABELS[value])));
  const cron = h('input', { name: 'cron', autocomplete: 'off', spellcheck: 'false', value: values.cron, class: 'mono' });
  const source = h('select', { name: 'sourceAccountId' }, accounts.map((account) => h('option', { value: account.id, selected: account.id === values.sourceAccountId }, `${account.name} (${account.pluginId})`)));
  const pattern = h('input', { name: 'imageNamePattern', autocomplete: 'off', value: values.imageNamePattern });
  const tags = h('input', { name: 'imageTags', autocomplete: 'off', value: values.imageTags, placeholder: 'env=prod, team=web' });
  const targets = checkboxGroup('Target accounts', 'targetAccountIds', accounts.map((account) => ({ value: account.id, label: `${account.name} (${account.pluginId})` })), values.targetAccountIds, 'Each matching image goes to every ticked account (stripped once, deployed to many).');
  const percent = h('input', { name: 'priceDropPercent', inputmode: 'decimal', autocomplete: 'off', value: values.priceDropPercent });
  const imageName = h('input', { name: 'targetImageName', autocomplete: 'off', value: values.targetImageName });
  const enabled = h('input', { type: 'checkbox', name: 'enabled', id: 'trigger-enabled' });
  enabled.checked = values.enabled;
  const fields: Record<string, CheckedField> = {
    name: checkedField('Name', name),
    kind: checkedField('Fires', kind),
    cron: checkedField('Cron schedule (UTC)', cron, 'Six fields: second minute hour day month weekday. 0 0 2 * * * is every night at 02:00.'),
    sourceAccountId: checkedField('Source account', source),
    imageNamePattern: checkedField('Image names', pattern, 'Wildcards * and ?, such as web-*. * is every image.'),
    imageTags: checkedField('Image tags (optional)', tags, 'key=value, separated by commas: the image must carry all of them.'),
    targetAccountIds: targets,
    priceDropPercent: checkedField('Cheaper by at least (%)', percent, 'Fires when a target’s estimated monthly cost of running the image is this much below the source’s.'),
    options: checkedField('Name of the new images (optional)', imageName),
  };
  const update = (): void => {
    fields.cron.element.hidden = kind.value !== 'SCHEDULE';
    fields.priceDropPercent.element.hidden = kind.value !== 'PRICE';
  };
  kind.addEventListener('change', update);
  update();
  const submit = h('button', { type: 'submit' }, editing ? 'Save trigger' : 'Create trigger');
  return h(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'trigger-form-title',
      novalidate: true,
      onsubmit: async (event: Event) => {
        event.preventDefault();
        replace(status);
        const checked = triggerRequest({
          name: name.value,
          kind: kind.value as TriggerKind,
          cron: cron.value,
          sourceAccountId: source.value,
          imageNamePattern: pattern.value,
          imageTags: tags.value,
          targetAccountIds: targets.values(),
          priceDropPercent: percent.value,
          targetImageName: imageName.value,
          enabled: enabled.checked,
        });
        if (!checked.request) {
          showCheckFailure(fields, status, checked.errors);
          return;
        }
        submit.disabled = true;
        try {
          const trigger = editing ? await context.api.updateTrigger(editing.id, checked.request) : await context.api.createTrigger(checked.request);
          await saved(editing ? `Saved the trigger "${trigger.name}".` : `Created the trigger "${trigger.name}".`);
        } catch (error) {
          showSaveFailure(fields, status, error);
          submit.disabled = false;
        }
      },
    },
    h('h2', { id: 'trigger-form-title' }, editing ? `Edit trigger ${editing.name}` : 'New trigger'),
    h('div', { class: 'field-group' }, fields.name.element, fields.kind.element),
    h('div', { class: 'field-group' }, fields.cron.element, fields.priceDropPercent.element),
    h('div', { class: 'field-group three' }, fields.sourceAccountId.element, fields.imageNamePattern.element, fields.imageTags.element),
    targets.element,
    fields.options.element,
    h('div', { class: 'field checkbox-field' }, h('label', { for: enabled.id, class: 'checkbox' }, enabled, ' Enabled')),
    status,
    h('div', { class: 'actions' }, submit, editing ? h('button', { type: 'button', class: 'secondary', onclick: cancel }, 'Cancel editing') : null),
  );
}
