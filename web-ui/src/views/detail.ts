import { FINISHED_STATES, type Migration, type MigrationCost, type MigrationReport, type MigrationStep, type Policy } from '../api';
import { alertBox, h, replace } from '../dom';
import { formatBytes, formatDateTime, formatDuration, formatMoney, formatSpeed, humanize, secondsBetween } from '../format';
import { applyEvent } from '../live';
import { ProgressTracker, percent } from '../progress';
import { readEventStream } from '../sse';
import { type Context, errorBox } from '../context';
import { progressBar, stateBadge } from './shared';
import { approvalControls, waitingReason } from './approvals';

const POLL_MILLISECONDS = 2000;

/** One migration: live progress per step, cancel, step log and the agent's report. */
export async function detailView(context: Context, main: HTMLElement, id: string): Promise<void> {
  let migration: Migration;
  try {
    migration = await context.api.migration(id);
  } catch (error) {
    replace(main, h('h1', { tabindex: -1 }, 'Migration'), errorBox(error));
    return;
  }
  const names = await context.accountNames();
  const reportAvailable = await context.hasApiPath('/api/v1/migrations/{id}/report');
  let report: MigrationReport | null = null;
  const trackers = new Map<string, ProgressTracker>();
  const liveLog: string[] = [];
  const header = h('div');
  const approvalArea = h('div', { 'aria-live': 'polite' });
  let cost: MigrationCost | null = null;
  let policies: Policy[] = [];
  const stepsArea = h('div');
  const logArea = h('div');
  const reportArea = h('div');
  const status = h('div', { 'aria-live': 'polite' });
  const announcer = h('div', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite', 'data-testid': 'state-announcer' });
  replace(
    main,
    h('h1', { tabindex: -1 }, `Migration ${id.slice(0, 8)}`),
    announcer,
    approvalArea,
    header,
    status,
    h('section', { 'aria-labelledby': 'steps-title' }, h('h2', { id: 'steps-title' }, 'Steps'), stepsArea),
    h('section', { 'aria-labelledby': 'log-title' }, h('h2', { id: 'log-title' }, 'Step log'), logArea),
    h('section', { 'aria-labelledby': 'report-title' }, h('h2', { id: 'report-title' }, 'Change report'), reportArea),
  );

  let lastAnnounced = '';
  const render = (): void => {
    if (migration.state !== lastAnnounced) {
      announcer.textContent = `Migration ${humanize(migration.state)}`;
      lastAnnounced = migration.state;
    }
    replace(header, headerCard(context, withReport(migration, report), names, status, cost, (updated) => {
      migration = updated;
      render();
    }));
    renderApproval();
    if (migration.state !== costLoadedFor) {
      void loadCost();
    }
    replace(stepsArea, stepsTable(migration, trackers));
    replace(logArea, stepLog(withReport(migration, report), liveLog));
    replace(reportArea, changeReport(withReport(migration, report), reportAvailable));
  };
  let costLoadedFor = '';
  // The approval section is built once per waiting spell, so a reason being typed survives the
  // page's updates; only the sentence saying why it waits follows the cost record.
  let waitingText: HTMLElement | null = null;
  const renderApproval = (): void => {
    if (migration.state !== 'AWAITING_APPROVAL') {
      waitingText = null;
      replace(approvalArea);
      return;
    }
    if (!waitingText) {
      waitingText = h('p', { 'data-testid': 'waiting-reason' });
      replace(
        approvalArea,
        h(
          'section',
          { class: 'notice info waiting', 'aria-labelledby': 'waiting-title', 'data-testid': 'awaiting-approval' },
          h('h2', { id: 'waiting-title' }, 'Waiting for approval'),
          waitingText,
          context.can('ADMIN')
            ? approvalControls(context, migration, async (message) => {
                replace(status, alertBox(message, 'success'));
                await reload();
                if (!FINISHED_STATES.has(migration.state)) {
                  window.clearTimeout(pollTimer);
                  pollTimer = window.setTimeout(poll, POLL_MILLISECONDS);
                }
              })
            : h('p', { class: 'muted' }, 'A tenant admin approves or rejects it; it starts once approved.'),
        ),
      );
    }
    waitingText.textContent = waitingReason(cost, policies, names);
  };
  const loadCost = async (): Promise<void> => {
    const state = migration.state;
    costLoadedFor = state;
    try {
      cost = await context.api.migrationCost(id);
    } catch {
      cost = null;
    }
    if (state === 'AWAITING_APPROVAL' && policies.length === 0) {
      policies = await context.api.policies().catch(() => []);
    }
    render();
  };
  render();

  let reportLoadedFor = '';
  const loadReport = async (): Promise<void> => {
    // Once per state change: the step log and the agent's report change as steps finish.
    const key = `${migration.state}/${migration.currentStep ?? ''}`;
    if (!reportAvailable || key === reportLoadedFor) {
      return;
    }
    reportLoadedFor = key;
    try {
      report = await context.api.report(id);
      render();
    } catch {
      // the step table still shows what the migration holds
    }
  };
  await loadReport();

  const abort = new AbortController();
  let pollTimer: number | undefined;
  context.onCleanup(() => {
    abort.abort();
    window.clearTimeout(pollTimer);
  });

  const reload = async (): Promise<void> => {
    try {
      migration = await context.api.migration(id);
      render();
      void loadReport();
    } catch (error) {
      if (!abort.signal.aborted) {
        replace(status, errorBox(error));
      }
    }
  };
  const streamAvailable = await context.hasApiPath('/api/v1/migrations/{id}/events');
  let following = false;
  const poll = async (): Promise<void> => {
    await reload();
    if (abort.signal.aborted || FINISHED_STATES.has(migration.state)) {
      return;
    }
    if (streamAvailable && !following && migration.state !== 'AWAITING_APPROVAL') {
      // Approved: the orchestrator has the job now, follow its progress live.
      void follow();
      return;
    }
    pollTimer = window.setTimeout(poll, POLL_MILLISECONDS);
  };

  const follow = async (): Promise<void> => {
    following = true;
    let reconnects = 0;
    while (!abort.signal.aborted && !FINISHED_STATES.has(migration.state)) {
      let ended = false;
      const end = await readEventStream(
        `/api/v1/migrations/${encodeURIComponent(id)}/events`,
        (event) => {
          ended = ended || event.event === 'end';
          let payload: unknown;
          try {
            payload = JSON.parse(event.data);
          } catch {
            return;
          }
          const applied = applyEvent(migration, payload, Date.now());
          migration = applied.migration;
          if (applied.stepProgress) {
            const tracker = trackers.get(applied.stepProgress.step) ?? new ProgressTracker();
            tracker.add({ at: applied.stepProgress.at, bytesDone: applied.stepProgress.bytesDone });
            trackers.set(applied.stepProgress.step, tracker);
          }
          if (applied.message) {
            liveLog.push(`${new Date().toLocaleTimeString()} ${applied.message}`);
            if (liveLog.length > 200) {
              liveLog.shift();
            }
          }
          render();
          void loadReport();
        },
        abort.signal,
      );
      if (abort.signal.aborted) {
        return;
      }
      await reload();
      if (end.kind === 'failed' || ended || reconnects >= 20) {
        // No event stream for this migration, it ended without the migration finishing (no
        // workflow runs it here), or it keeps breaking: poll instead.
        await poll();
        return;
      }
      reconnects++;
      await new Promise((resolve) => window.setTimeout(resolve, 1000));
    }
  };
  if (!FINISHED_STATES.has(migration.state)) {
    // A migration waiting for approval has no job in the orchestrator yet: poll until it has one.
    if (streamAvailable && migration.state !== 'AWAITING_APPROVAL') {
      void follow();
    } else {
      pollTimer = window.setTimeout(poll, POLL_MILLISECONDS);
    }
  }
}

function headerCard(
  context: Context,
  migration: Migration,
  names: Map<string, string>,
  status: HTMLElement,
  cost: MigrationCost | null,
  updated: (migration: Migration) => void,
): HTMLElement {
  const cancellable = !FINISHED_STATES.has(migration.state) && migration.state !== 'CANCELLING' && context.can('OPERATOR');
  const cancel = h(
    'button',
    {
      type: 'button',
      class: 'danger',
      onclick: async () => {
        if (!window.confirm('Cancel this migration? Everything it created in the target is cleaned up.')) {
          return;
        }
        cancel.disabled = true;
        try {
          updated(await context.api.cancelMigration(migration.id));
          replace(status, alertBox('Cancel requested.', 'info'));
        } catch (error) {
          replace(status, errorBox(error));
          cancel.disabled = false;
        }
      },
    },
    'Cancel migration',
  );
  const result = migration['resultImageId'] ?? migration['resultLocation'];
  return h(
    'div',
    { class: 'card' },
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, 'State'),
      h('dd', { 'data-testid': 'migration-state' }, stateBadge(migration.state)),
      h('dt', null, 'Source'),
      h('dd', null, `${names.get(migration.sourceAccountId) ?? migration.sourceAccountId}: ${migration.sourceImageId}`),
      h('dt', null, 'Target'),
      h('dd', null, names.get(migration.targetAccountId) ?? migration.targetAccountId),
      h('dt', null, 'Started by'),
      h(
        'dd',
        null,
        cost?.triggerId ? [h('a', { href: '#/triggers' }, `trigger ${cost.triggerId.slice(0, 8)}`), ' of '] : null,
        `${migration.createdBy ?? '—'} at ${formatDateTime(migration.createdAt)}`,
      ),
      cost?.approvalPolicy
        ? [
            h('dt', null, 'Approval'),
            h(
              'dd',
              null,
              cost.decidedBy
                ? `policy "${cost.approvalPolicy}": ${migration.state === 'REJECTED' ? 'rejected' : 'approved'} by ${cost.decidedBy} at ${formatDateTime(cost.decidedAt)}`
                : `policy "${cost.approvalPolicy}": waiting for a tenant admin`,
            ),
          ]
        : null,
      cost
        ? [
            h('dt', null, 'Cost'),
            h(
              'dd',
              { 'data-testid': 'migration-cost' },
              `estimated ${formatMoney(cost.estimatedTotal)}`,
              cost.actualTotal !== null && cost.actualTotal !== undefined ? `, actual ${formatMoney(cost.actualTotal)}` : '',
            ),
          ]
        : null,
      h('dt', null, 'Duration'),
      h('dd', null, formatDuration(secondsBetween(migration.createdAt, migration.finishedAt ?? new Date().toISOString()))),
      result ? [h('dt', null, 'New image'), h('dd', null, String(result))] : null,
      migration.errorCode || migration.errorMessage
        ? [h('dt', null, 'Reason'), h('dd', { class: 'error-text' }, [migration.errorCode, migration.errorMessage].filter(Boolean).join(': '))]
        : null,
    ),
    progressBar(migration.progressPercent, 'Overall progress'),
    h('p', { class: 'muted' }, `${migration.progressPercent}% done${migration.currentStep ? `, current step ${humanize(migration.currentStep)}` : ''}`),
    cancellable ? cancel : null,
  );
}

function stepsTable(migration: Migration, trackers: Map<string, ProgressTracker>): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'steps' },
      h('caption', { class: 'visually-hidden' }, 'Steps of the migration'),
      h('thead', null, h('tr', null, ['Step', 'State', 'Progress', 'Bytes', 'Speed', 'Time left', 'Took'].map((title) => h('th', { scope: 'col' }, title)))),
      h('tbody', null, migration.steps.map((step) => stepRow(step, trackers.get(step.name)))),
    ),
  );
}

function stepRow(step: MigrationStep, tracker: ProgressTracker | undefined): HTMLElement {
  const total = typeof step.bytesTotal === 'number' ? step.bytesTotal : -1;
  const done = typeof step.bytesDone === 'number' ? step.bytesDone : 0;
  const finished = ['SUCCEEDED', 'SKIPPED', 'DONE'].includes(step.state);
  const stepPercent = finished ? 100 : percent(done, total);
  const speed = step.state === 'RUNNING' ? (tracker?.speed() ?? null) : null;
  const secondsLeft =
    step.state === 'RUNNING' ? (step.etaSeconds ?? (tracker ? tracker.secondsLeft(total) : null)) : finished ? 0 : null;
  const took = secondsBetween(step.startedAt, step.finishedAt);
  return h(
    'tr',
    { 'data-step': step.name, class: step.state === 'RUNNING' ? 'running' : undefined },
    h('th', { scope: 'row' }, humanize(step.name)),
    h('td', null, stateBadge(step.state)),
    h('td', null, progressBar(stepPercent, `${humanize(step.name)} progress`)),
    h('td', null, total > 0 ? `${formatBytes(done)} of ${formatBytes(total)}` : done > 0 ? formatBytes(done) : '—'),
    h('td', null, formatSpeed(speed)),
    h('td', null, step.state === 'RUNNING' || !finished ? formatDuration(secondsLeft) : '—'),
    h('td', null, formatDuration(took)),
  );
}

function stepLog(migration: Migration, liveLog: string[]): HTMLElement {
  const entries: HTMLElement[] = [];
  for (const step of migration.steps) {
    if (!step.startedAt && !step.errorMessage) {
      continue;
    }
    const parts = [`${humanize(step.name)}: ${humanize(step.state)}`];
    if (step.startedAt) {
      parts.push(`started ${formatDateTime(step.startedAt)}`);
    }
    if (step.finishedAt) {
      parts.push(`finished ${formatDateTime(step.finishedAt)}`);
    }
    if (typeof step.attempts === 'number' && step.attempts > 1) {
      parts.push(`${step.attempts} attempts`);
    }
    if (step.errorCode || step.errorMessage) {
      parts.push([step.errorCode, step.errorMessage].filter(Boolean).join(': '));
    }
    entries.push(h('li', null, parts.join(' · ')));
  }
  for (const line of liveLog) {
    entries.push(h('li', { class: 'live' }, line));
  }
  if (entries.length === 0) {
    return h('p', { class: 'empty' }, 'No step has run yet.');
  }
  return h('ol', { class: 'log' }, entries);
}

/**
 * The guest agent's change report: what STRIP removed and INJECT added. Shown from the
 * migration's "report" field or the steps' results, whichever the API exposes.
 */
/** The migration with the report's per-step facts (attempts, bytes, errors, results) merged in. */
export function withReport(migration: Migration, report: MigrationReport | null): Migration {
  if (!report) {
    return migration;
  }
  const byName = new Map(report.steps.map((step) => [step.name, step]));
  return {
    ...migration,
    resultImageId: migration['resultImageId'] ?? report.resultImageId ?? undefined,
    resultLocation: migration['resultLocation'] ?? report.resultLocation ?? undefined,
    steps: migration.steps.map((step) => {
      const reported = byName.get(step.name);
      if (!reported) {
        return step;
      }
      return {
        ...step,
        attempts: reported.attempts,
        errorCode: step.errorCode ?? reported.errorCode,
        errorMessage: step.errorMessage ?? reported.errorMessage,
        bytesDone: step.bytesDone ?? (reported.bytesTotal >= 0 || reported.bytesDone > 0 ? reported.bytesDone : undefined),
        bytesTotal: step.bytesTotal ?? (reported.bytesTotal >= 0 ? reported.bytesTotal : undefined),
        startedAt: step.startedAt ?? reported.startedAt,
        finishedAt: step.finishedAt ?? reported.finishedAt,
        result: reported.result ?? step.result,
      };
    }),
  };
}

/** The guest agent's change report (STRIP, INJECT) in a step result, or null for other results. */
export function agentChanges(result: unknown): { operation: string; cloud: string; changes: Array<{ path: string; action: string; reason: string }>; notes: string[] } | null {
  let value = result;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  if (!value || typeof value !== 'object' || !Array.isArray((value as { changes?: unknown }).changes)) {
    return null;
  }
  const report = value as { operation?: unknown; cloud?: unknown; changes: unknown[]; notes?: unknown };
  return {
    operation: String(report.operation ?? ''),
    cloud: String(report.cloud ?? ''),
    changes: report.changes
      .filter((change): change is Record<string, unknown> => !!change && typeof change === 'object')
      .map((change) => ({ path: String(change.path ?? ''), action: String(change.action ?? ''), reason: String(change.reason ?? '') })),
    notes: Array.isArray(report.notes) ? report.notes.map(String) : [],
  };
}

/** Warnings the steps' results carry (e.g. EXPORT: an OVA's data disks are not migrated), in step order. */
export function stepWarnings(steps: Array<{ name: string; result?: unknown }>): Array<{ step: string; warning: string }> {
  const warnings: Array<{ step: string; warning: string }> = [];
  for (const step of steps) {
    let value = step.result;
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value);
      } catch {
        continue;
      }
    }
    const warning = value && typeof value === 'object' ? (value as { warning?: unknown }).warning : undefined;
    if (typeof warning === 'string' && warning.trim() !== '') {
      warnings.push({ step: step.name, warning });
    }
  }
  return warnings;
}

function resultText(result: unknown): string {
  try {
    return JSON.stringify(typeof result === 'string' ? JSON.parse(result) : result, null, 2);
  } catch {
    return String(result);
  }
}

/**
 * The guest agent's change report: what STRIP removed and INJECT added, one table each; the other
 * steps' results (plan, upload, verify, cleanup...) folded below.
 */
function changeReport(migration: Migration, reportAvailable: boolean): HTMLElement {
  const sections: Array<HTMLElement | null> = [];
  const others: HTMLElement[] = [];
  for (const { step, warning } of stepWarnings(migration.steps)) {
    sections.push(h('p', { class: 'notice warning', role: 'note' }, `${humanize(step)}: ${warning}`));
  }
  const report = migration['report'];
  if (report !== undefined && report !== null) {
    sections.push(h('pre', { class: 'report', tabindex: 0 }, resultText(report)));
  }
  for (const step of migration.steps) {
    if (step.result === undefined || step.result === null || step.result === '') {
      continue;
    }
    const agent = agentChanges(step.result);
    if (!agent) {
      others.push(h('h4', null, humanize(step.name)), h('pre', { class: 'report', tabindex: 0 }, resultText(step.result)));
      continue;
    }
    const verb = agent.operation === 'strip' ? 'removed from the image' : agent.operation === 'inject' ? 'added to the image' : agent.operation;
    sections.push(
      h('h3', null, `${humanize(step.name)}: the ${agent.cloud || 'cloud'} layer ${verb} (${agent.changes.length} change${agent.changes.length === 1 ? '' : 's'})`),
      agent.changes.length === 0
        ? h('p', { class: 'empty' }, 'Nothing to change.')
        : h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              null,
              h('caption', { class: 'visually-hidden' }, `Changes of ${humanize(step.name)}`),
              h('thead', null, h('tr', null, ['Action', 'Path', 'Why'].map((title) => h('th', { scope: 'col' }, title)))),
              h('tbody', null, agent.changes.map((change) => h('tr', null, h('td', null, humanize(change.action)), h('td', null, h('code', null, change.path)), h('td', null, change.reason)))),
            ),
          ),
      agent.notes.length > 0 ? h('ul', { class: 'notes' }, agent.notes.map((note) => h('li', null, note))) : null,
    );
  }
  if (others.length > 0) {
    sections.push(h('details', { class: 'other-results' }, h('summary', null, 'Results of the other steps'), others));
  }
  if (sections.length === 0) {
    return h(
      'p',
      { class: 'empty', 'data-testid': 'report-empty' },
      migration.state === 'REJECTED' || migration.state === 'AWAITING_APPROVAL'
        ? 'The migration has not run.'
        : FINISHED_STATES.has(migration.state)
        ? reportAvailable
          ? 'The guest agent reported no changes for this migration.'
          : 'This server’s API does not expose the change report.'
        : 'The report appears once the guest agent has stripped and injected the cloud layers.',
    );
  }
  return h('div', { 'data-testid': 'report' }, sections);
}
