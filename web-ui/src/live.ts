// Applies the migration event stream's events to the migration the page shows.

import { FINISHED_STATES, type Migration, type MigrationState, type MigrationStep } from './api';
import { parseDurationSeconds } from './format';

/** What one event changed, for the page to redraw and the trackers to learn speed from. */
export interface AppliedEvent {
  migration: Migration;
  /** The step whose bytes changed, with the count and when, if the event carried one. */
  stepProgress: { step: string; bytesDone: number; bytesTotal: number; at: number } | null;
  /** The event ends the stream's interest: the migration finished. */
  finished: boolean;
  message: string | null;
}

/**
 * Applies one event's JSON payload. Two shapes are understood: a whole migration (has "id" and
 * "steps"), which replaces the current one, and a step or job change as the orchestrator reports
 * it ({jobId, jobState, step, stepState, bytesDone, bytesTotal, eta, errorCode, message, at}).
 * Unknown payloads change nothing.
 */
export function applyEvent(current: Migration, payload: unknown, receivedAt: number): AppliedEvent {
  if (!payload || typeof payload !== 'object') {
    return { migration: current, stepProgress: null, finished: FINISHED_STATES.has(current.state), message: null };
  }
  const data = payload as Record<string, unknown>;
  if (typeof data.id === 'string' && Array.isArray(data.steps)) {
    const migration = data as unknown as Migration;
    return { migration, stepProgress: null, finished: FINISHED_STATES.has(migration.state), message: null };
  }
  if (typeof data.migrationId === 'string' && Array.isArray(data.steps)) {
    return applySnapshot(current, data, receivedAt);
  }
  const migration: Migration = { ...current, steps: current.steps.map((step) => ({ ...step })) };
  const jobState = typeof data.jobState === 'string' ? data.jobState : typeof data.state === 'string' ? data.state : null;
  if (jobState && (jobState as MigrationState) !== migration.state) {
    // CANCELLING is the system manager's own state: keep it until the job really ended.
    if (!(migration.state === 'CANCELLING' && !FINISHED_STATES.has(jobState))) {
      migration.state = jobState as MigrationState;
    }
  }
  const at = typeof data.at === 'string' && !Number.isNaN(Date.parse(data.at)) ? Date.parse(data.at) : receivedAt;
  let stepProgress: AppliedEvent['stepProgress'] = null;
  const stepName = typeof data.step === 'string' ? data.step : null;
  if (stepName) {
    let step: MigrationStep | undefined = migration.steps.find((candidate) => candidate.name === stepName);
    if (!step) {
      step = { name: stepName, state: 'PENDING' };
      migration.steps.push(step);
    }
    if (typeof data.stepState === 'string') {
      if (data.stepState === 'RUNNING' && !step.startedAt) {
        step.startedAt = new Date(at).toISOString();
      }
      if (['SUCCEEDED', 'DONE', 'FAILED', 'CANCELLED', 'SKIPPED'].includes(data.stepState) && !step.finishedAt) {
        step.finishedAt = new Date(at).toISOString();
      }
      step.state = data.stepState;
    }
    if (step.state === 'RUNNING') {
      migration.currentStep = stepName;
    }
    if (typeof data.bytesDone === 'number') {
      step.bytesDone = data.bytesDone;
    }
    if (typeof data.bytesTotal === 'number') {
      step.bytesTotal = data.bytesTotal;
    }
    const eta = parseDurationSeconds(data.eta ?? data.etaSeconds);
    step.etaSeconds = eta;
    if (typeof data.errorCode === 'string') {
      step.errorCode = data.errorCode;
    }
    if (typeof data.message === 'string' && step.state === 'FAILED') {
      step.errorMessage = data.message;
    }
    if (typeof data.bytesDone === 'number') {
      stepProgress = { step: stepName, bytesDone: data.bytesDone, bytesTotal: step.bytesTotal ?? -1, at };
    }
  }
  if (typeof data.errorCode === 'string' && FINISHED_STATES.has(migration.state) && migration.state !== 'SUCCEEDED') {
    migration.errorCode = data.errorCode;
    if (typeof data.message === 'string') {
      migration.errorMessage = data.message;
    }
  }
  const finished = FINISHED_STATES.has(migration.state);
  if (finished) {
    migration.progressPercent = 100;
    migration.finishedAt = migration.finishedAt ?? new Date(at).toISOString();
  } else {
    migration.progressPercent = Math.max(current.progressPercent, overallPercent(migration.steps));
  }
  return { migration, stepProgress, finished, message: typeof data.message === 'string' ? data.message : null };
}

/**
 * Merges the system manager's progress event ({migrationId, state, currentStep, progressPercent,
 * errorCode, errorMessage, resultImageId, steps: [{name, state, attempts, bytesDone, bytesTotal,
 * etaSeconds, errorCode, errorMessage}]}) into the migration; steps keep their times, which the
 * event does not carry (a step's start and end are taken from when its state changed).
 */
function applySnapshot(current: Migration, data: Record<string, unknown>, receivedAt: number): AppliedEvent {
  const at = receivedAt;
  const migration: Migration = { ...current, steps: current.steps.map((step) => ({ ...step })) };
  const state = typeof data.state === 'string' ? data.state : null;
  if (state && !(migration.state === 'CANCELLING' && !FINISHED_STATES.has(state))) {
    migration.state = state as MigrationState;
  }
  if (typeof data.currentStep === 'string' || data.currentStep === null) {
    migration.currentStep = (data.currentStep as string | null) ?? migration.currentStep;
  }
  if (typeof data.progressPercent === 'number') {
    migration.progressPercent = data.progressPercent;
  }
  for (const key of ['errorCode', 'errorMessage', 'resultImageId'] as const) {
    if (typeof data[key] === 'string') {
      migration[key] = data[key] as string;
    }
  }
  let stepProgress: AppliedEvent['stepProgress'] = null;
  for (const raw of data.steps as unknown[]) {
    if (!raw || typeof raw !== 'object' || typeof (raw as { name?: unknown }).name !== 'string') {
      continue;
    }
    const update = raw as Record<string, unknown> & { name: string };
    let step = migration.steps.find((candidate) => candidate.name === update.name);
    if (!step) {
      step = { name: update.name, state: 'PENDING' };
      migration.steps.push(step);
    }
    if (typeof update.state === 'string' && update.state !== step.state) {
      if (update.state === 'RUNNING' && !step.startedAt) {
        step.startedAt = new Date(at).toISOString();
      }
      if (['SUCCEEDED', 'DONE', 'FAILED', 'CANCELLED', 'SKIPPED'].includes(update.state) && !step.finishedAt) {
        step.finishedAt = new Date(at).toISOString();
        step.startedAt = step.startedAt ?? step.finishedAt;
      }
      step.state = update.state;
    }
    for (const key of ['bytesDone', 'bytesTotal', 'etaSeconds', 'attempts'] as const) {
      if (typeof update[key] === 'number' || update[key] === null) {
        step[key] = update[key] as number | null;
      }
    }
    for (const key of ['errorCode', 'errorMessage'] as const) {
      if (typeof update[key] === 'string') {
        step[key] = update[key] as string;
      }
    }
    if (step.state === 'RUNNING' && typeof step.bytesDone === 'number') {
      stepProgress = { step: step.name, bytesDone: step.bytesDone, bytesTotal: step.bytesTotal ?? -1, at };
    }
  }
  const finished = FINISHED_STATES.has(migration.state);
  if (finished) {
    migration.finishedAt = migration.finishedAt ?? new Date(at).toISOString();
  }
  return { migration, stepProgress, finished, message: null };
}

/** Progress over all steps: finished steps count whole, a running one by its bytes. */
export function overallPercent(steps: MigrationStep[]): number {
  if (steps.length === 0) {
    return 0;
  }
  let done = 0;
  for (const step of steps) {
    if (['SUCCEEDED', 'DONE', 'SKIPPED', 'FAILED', 'CANCELLED'].includes(step.state)) {
      done += 1;
    } else if (step.state === 'RUNNING' && (step.bytesTotal ?? 0) > 0) {
      done += Math.min(1, (step.bytesDone ?? 0) / (step.bytesTotal as number));
    }
  }
  return Math.min(99, Math.floor((100 * done) / steps.length));
}
