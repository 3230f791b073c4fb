import { describe, expect, it } from 'vitest';
import type { Migration } from './api';
import { agentChanges, stepWarnings, withReport } from './views/detail';

describe('agentChanges', () => {
  it('reads the guest agent change report from a step result, as JSON text or object', () => {
    const report = {
      operation: 'strip',
      cloud: 'aws',
      changes: [{ path: '/etc/cloud/cloud.cfg.d/90-ec2.cfg', action: 'DELETED', reason: 'AWS datasource' }],
      notes: ['initramfs regenerated'],
    };
    expect(agentChanges(JSON.stringify(report))).toEqual({
      operation: 'strip',
      cloud: 'aws',
      changes: [{ path: '/etc/cloud/cloud.cfg.d/90-ec2.cfg', action: 'DELETED', reason: 'AWS datasource' }],
      notes: ['initramfs regenerated'],
    });
    expect(agentChanges(report)?.changes).toHaveLength(1);
  });

  it('is null for other step results', () => {
    expect(agentChanges({ imageId: 'x.qcow2' })).toBeNull();
    expect(agentChanges('not json')).toBeNull();
    expect(agentChanges(null)).toBeNull();
  });
});

describe('stepWarnings', () => {
  it('collects the warning of every step result that has one, JSON text or object, in step order', () => {
    expect(
      stepWarnings([
        { name: 'PLAN', result: { bundleId: 'b' } },
        { name: 'EXPORT', result: JSON.stringify({ format: 'ova', warning: 'vm.ova holds 2 disks; the boot disk only is migrated' }) },
        { name: 'STRIP', result: 'not json' },
        { name: 'VERIFY', result: { warning: '  ' } },
        { name: 'CLEANUP', result: { warning: 'one volume left' } },
      ]),
    ).toEqual([
      { step: 'EXPORT', warning: 'vm.ova holds 2 disks; the boot disk only is migrated' },
      { step: 'CLEANUP', warning: 'one volume left' },
    ]);
    expect(stepWarnings([{ name: 'EXPORT' }])).toEqual([]);
  });
});

describe('withReport', () => {
  const migration: Migration = {
    id: 'm',
    sourceAccountId: 's',
    sourceImageId: 'i',
    targetAccountId: 't',
    state: 'SUCCEEDED',
    progressPercent: 100,
    createdAt: '2026-01-01T00:00:00Z',
    steps: [{ name: 'EXPORT', state: 'DONE', startedAt: '2026-01-01T00:00:01Z', finishedAt: '2026-01-01T00:00:05Z' }],
  };

  it('merges attempts, bytes, results and the new image into the migration', () => {
    const merged = withReport(migration, {
      migrationId: 'm',
      state: 'SUCCEEDED',
      resultImageId: 'copy.qcow2',
      steps: [{ name: 'EXPORT', state: 'SUCCEEDED', attempts: 2, bytesDone: 10, bytesTotal: 20, result: { a: 1 } }],
    });
    expect(merged['resultImageId']).toBe('copy.qcow2');
    expect(merged.steps[0]).toMatchObject({ attempts: 2, bytesDone: 10, bytesTotal: 20, result: { a: 1 }, startedAt: '2026-01-01T00:00:01Z' });
  });

  it('leaves unknown totals unknown and the migration alone without a report', () => {
    const merged = withReport(migration, { migrationId: 'm', state: 'SUCCEEDED', steps: [{ name: 'EXPORT', state: 'DONE', attempts: 1, bytesDone: 0, bytesTotal: -1 }] });
    expect(merged.steps[0].bytesTotal).toBeUndefined();
    expect(merged.steps[0].bytesDone).toBeUndefined();
    expect(withReport(migration, null)).toBe(migration);
  });
});
