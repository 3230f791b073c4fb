import type { Migration, MigrationCost, Policy } from '../api';
import { alertBox, field, h, replace, uniqueId } from '../dom';
import { formatBytes, formatDateTime, formatMoney } from '../format';
import { policyRules } from '../policies';
import { type Context, errorBox } from '../context';

/** Reason, Approve and Reject for one migration that waits (tenant admins). */
export function approvalControls(context: Context, migration: Migration, decided: (message: string) => void | Promise<void>): HTMLElement {
  const status = h('div');
  const reason = h('input', { name: 'reason', autocomplete: 'off', maxlength: 1000, id: uniqueId('reason') });
  const label = migration.id.slice(0, 8);
  const decide = async (approve: boolean): Promise<void> => {
    approveButton.disabled = true;
    rejectButton.disabled = true;
    try {
      const decision = approve
        ? await context.api.approve(migration.id, reason.value.trim() || undefined)
        : await context.api.reject(migration.id, reason.value.trim() || undefined);
      await decided(approve ? `Approved migration ${label}: it is ${decision.state.toLowerCase()}.` : `Rejected migration ${label}.`);
    } catch (error) {
      replace(status, errorBox(error));
      approveButton.disabled = false;
      rejectButton.disabled = false;
    }
  };
  const approveButton = h('button', { type: 'button', 'aria-label': `Approve migration ${label}`, onclick: () => void decide(true) }, 'Approve');
  const rejectButton = h('button', { type: 'button', class: 'danger', 'aria-label': `Reject migration ${label}`, onclick: () => void decide(false) }, 'Reject');
  return h(
    'div',
    { class: 'decision' },
    field(`Reason for migration ${label} (optional)`, reason, 'Recorded with the decision; a rejection shows it as the migration’s reason.'),
    h('div', { class: 'actions' }, approveButton, rejectButton),
    status,
  );
}

/** Why a migration waits: the approval policy's name and rule, as the ledger and the policy say. */
export function waitingReason(cost: MigrationCost | null, policies: Policy[], names: Map<string, string>): string {
  if (!cost?.approvalPolicy) {
    return 'An approval policy matched this migration.';
  }
  const policy = policies.find((candidate) => candidate.name === cost.approvalPolicy);
  const rules = policy ? `: ${policyRules(policy, names).join(', ')}` : '';
  return `It matched the approval policy "${cost.approvalPolicy}"${rules}. Estimated cost ${formatMoney(cost.estimatedTotal)}.`;
}

/** Migrations waiting for a tenant admin's approval. */
export async function approvalsView(context: Context, main: HTMLElement): Promise<void> {
  const area = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading…'));
  const status = h('div', { 'aria-live': 'polite' });
  replace(
    main,
    h('h1', { tabindex: -1 }, 'Approvals'),
    h('p', { class: 'muted' }, 'Migrations an approval policy holds until a tenant admin approves them (they then run) or rejects them (they end rejected).'),
    status,
    area,
  );
  const load = async (): Promise<void> => {
    let waiting: Migration[];
    try {
      waiting = (await context.api.migrations({ state: 'AWAITING_APPROVAL', size: 200 })).items;
    } catch (error) {
      replace(area, errorBox(error));
      return;
    }
    if (waiting.length === 0) {
      replace(area, h('p', { class: 'empty', 'data-testid': 'no-approvals' }, 'No migration waits for approval.'));
      return;
    }
    const names = await context.accountNames();
    const policies = await context.api.policies().catch(() => [] as Policy[]);
    const costs = await Promise.all(waiting.map((migration) => context.api.migrationCost(migration.id).catch(() => null)));
    replace(
      area,
      h(
        'ul',
        { class: 'approval-list' },
        waiting.map((migration, index) =>
          h(
            'li',
            { class: 'card', 'data-migration': migration.id },
            h(
              'h2',
              null,
              h('a', { href: `#/migrations/${migration.id}` }, `Migration ${migration.id.slice(0, 8)}`),
              ` · ${names.get(migration.sourceAccountId) ?? migration.sourceAccountId.slice(0, 8)}: ${migration.sourceImageId} → ${names.get(migration.targetAccountId) ?? migration.targetAccountId.slice(0, 8)}`,
            ),
            h(
              'dl',
              { class: 'facts' },
              h('dt', null, 'Requested by'),
              h('dd', null, `${costs[index]?.triggerId ? `trigger ${costs[index]!.triggerId!.slice(0, 8)} of ` : ''}${migration.createdBy ?? '—'} at ${formatDateTime(migration.createdAt)}`),
              h('dt', null, 'Waits because'),
              h('dd', { 'data-testid': 'waiting-reason' }, waitingReason(costs[index], policies, names)),
              h('dt', null, 'Data to move'),
              h('dd', null, costs[index] ? `at most ${formatBytes(costs[index]!.bytesToMove)}` : '—'),
            ),
            context.can('ADMIN')
              ? approvalControls(context, migration, async (message) => {
                  replace(status, alertBox(message, 'success'));
                  await load();
                })
              : h('p', { class: 'muted' }, 'Only tenant admins approve or reject migrations.'),
          ),
        ),
      ),
    );
  };
  await load();
}
