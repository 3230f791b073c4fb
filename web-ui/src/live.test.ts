import { describe, expect, it } from 'vitest';
import type { Migration } from './api';
import { applyEvent, overallPercent } from './live';

function migration(): Migration {
  return {
    id: 'm1',
    sourceAccountId: 's',
    sourceImageId: 'debian',
    targetAccountId: 't',
    state: 'QUEUED',
    progressPercent: 0,
    createdAt: '2026-01-01T00:00:00Z',
    steps: ['PLAN', 'EXPORT', 'CLEANUP'].map((name) => ({ name, state: 'PENDING' })),
  };
}

describe('applyEvent', () => {
  it('applies a step event as the orchestrator reports it', () => {
    const applied = applyEvent(
      migration(),
      { jobId: 'm1', jobState: 'RUNNING', step: 'EXPORT', stepState: 'RUNNING', bytesDone: 50, bytesTotal: 200, eta: 'PT30S', at: '2026-01-01T00:00:10Z' },
      0,
    );
    const step = applied.migration.steps.find((candidate) => candidate.name === 'EXPORT')!;
    expect(applied.migration.state).toBe('RUNNING');
    expect(applied.migration.currentStep).toBe('EXPORT');
    expect(step).toMatchObject({ state: 'RUNNING', bytesDone: 50, bytesTotal: 200, etaSeconds: 30, startedAt: '2026-01-01T00:00:10.000Z' });
    expect(applied.stepProgress).toEqual({ step: 'EXPORT', bytesDone: 50, bytesTotal: 200, at: Date.parse('2026-01-01T00:00:10Z') });
    expect(applied.finished).toBe(false);
    expect(applied.migration.progressPercent).toBe(8); // a quarter of one of three steps
  });

  it('does not change the migration it was given', () => {
    const before = migration();
    applyEvent(before, { jobState: 'RUNNING', step: 'PLAN', stepState: 'SUCCEEDED' }, 0);
    expect(before.state).toBe('QUEUED');
    expect(before.steps[0].state).toBe('PENDING');
  });

  it('ends on a finished job and records why it failed', () => {
    const applied = applyEvent(migration(), { jobState: 'FAILED', errorCode: 'NO_SPACE', message: 'the target is full', at: '2026-01-01T00:05:00Z' }, 0);
    expect(applied.finished).toBe(true);
    expect(applied.migration).toMatchObject({ state: 'FAILED', errorCode: 'NO_SPACE', errorMessage: 'the target is full', progressPercent: 100 });
  });

  it('keeps CANCELLING until the job really ended', () => {
    const cancelling = { ...migration(), state: 'CANCELLING' as const };
    expect(applyEvent(cancelling, { jobState: 'RUNNING', step: 'EXPORT', stepState: 'RUNNING' }, 0).migration.state).toBe('CANCELLING');
    expect(applyEvent(cancelling, { jobState: 'CANCELLED' }, 0).migration.state).toBe('CANCELLED');
  });

  it('takes a whole migration snapshot as it is and ignores unknown payloads', () => {
    const snapshot = { ...migration(), state: 'SUCCEEDED' as const, progressPercent: 100 };
    expect(applyEvent(migration(), snapshot, 0)).toMatchObject({ migration: snapshot, finished: true });
    const current = migration();
    expect(applyEvent(current, 'hello', 0).migration).toBe(current);
  });
});

describe('applyEvent with the system manager progress events', () => {
  it('merges state, percent and each step, keeping step times and timing transitions', () => {
    const running = applyEvent(
      migration(),
      {
        migrationId: 'm1', state: 'RUNNING', currentStep: 'EXPORT', progressPercent: 20,
        steps: [
          { name: 'PLAN', state: 'SUCCEEDED', attempts: 1, bytesDone: 0, bytesTotal: -1, etaSeconds: null },
          { name: 'EXPORT', state: 'RUNNING', attempts: 1, bytesDone: 1024, bytesTotal: 4096, etaSeconds: 3 },
        ],
      },
      Date.parse('2026-01-01T00:00:05Z'),
    );
    expect(running.migration).toMatchObject({ state: 'RUNNING', currentStep: 'EXPORT', progressPercent: 20 });
    expect(running.migration.steps[0]).toMatchObject({ state: 'SUCCEEDED', finishedAt: '2026-01-01T00:00:05.000Z' });
    expect(running.migration.steps[1]).toMatchObject({ state: 'RUNNING', bytesDone: 1024, bytesTotal: 4096, etaSeconds: 3, startedAt: '2026-01-01T00:00:05.000Z' });
    expect(running.stepProgress).toEqual({ step: 'EXPORT', bytesDone: 1024, bytesTotal: 4096, at: Date.parse('2026-01-01T00:00:05Z') });
    expect(running.finished).toBe(false);

    const done = applyEvent(
      running.migration,
      { migrationId: 'm1', state: 'SUCCEEDED', progressPercent: 100, resultImageId: 'copy.qcow2', steps: [{ name: 'EXPORT', state: 'SUCCEEDED', bytesDone: 4096, bytesTotal: 4096 }] },
      Date.parse('2026-01-01T00:00:09Z'),
    );
    expect(done.finished).toBe(true);
    expect(done.migration.steps[1]).toMatchObject({ state: 'SUCCEEDED', startedAt: '2026-01-01T00:00:05.000Z', finishedAt: '2026-01-01T00:00:09.000Z' });
    expect(done.migration['resultImageId']).toBe('copy.qcow2');
  });

  it('keeps the steps when the end event carries none', () => {
    const ended = applyEvent(migration(), { migrationId: 'm1', state: 'QUEUED', progressPercent: 0, steps: [] }, 0);
    expect(ended.migration.steps).toHaveLength(3);
    expect(ended.finished).toBe(false);
  });
});

describe('overallPercent', () => {
  it('counts finished steps whole and the running one by its bytes', () => {
    expect(overallPercent([
      { name: 'A', state: 'SUCCEEDED' },
      { name: 'B', state: 'RUNNING', bytesDone: 1, bytesTotal: 2 },
      { name: 'C', state: 'PENDING' },
      { name: 'D', state: 'SKIPPED' },
    ])).toBe(62);
    expect(overallPercent([])).toBe(0);
    expect(overallPercent([{ name: 'A', state: 'SUCCEEDED' }])).toBe(99);
  });
});
