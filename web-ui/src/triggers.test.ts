import { describe, expect, it } from 'vitest';
import type { Trigger } from './api';
import { cronProblem, formatTags, nextFiring, parseTags, triggerCondition, triggerFormValues, triggerHistory, triggerImages, triggerRequest, type TriggerFormValues } from './triggers';

const FORM: TriggerFormValues = {
  name: 'nightly web',
  kind: 'SCHEDULE',
  cron: '0 0 2 * * *',
  sourceAccountId: 'src',
  imageNamePattern: 'web-*',
  imageTags: '',
  targetAccountIds: ['t1', 't2'],
  priceDropPercent: '',
  targetImageName: '',
  enabled: true,
};

describe('trigger form', () => {
  it('builds a schedule trigger to several targets', () => {
    expect(triggerRequest(FORM)).toEqual({
      errors: [],
      request: {
        name: 'nightly web',
        kind: 'SCHEDULE',
        cron: '0 0 2 * * *',
        sourceAccountId: 'src',
        imageNamePattern: 'web-*',
        imageTags: {},
        targetAccountIds: ['t1', 't2'],
        options: {},
        enabled: true,
      },
    });
  });

  it('catches five-field cron, missing targets and a bad percentage', () => {
    expect(cronProblem('0 2 * * *')).toContain('put 0 in front, such as 0 0 2 * * *');
    expect(cronProblem('@daily')).toBeNull();
    expect(cronProblem('0 0 2 * * * *')).toContain('not 7');
    expect(cronProblem('0 0 2 * * MON-FRI')).toBeNull();
    const { request, errors } = triggerRequest({ ...FORM, kind: 'PRICE', targetAccountIds: [], priceDropPercent: '120', name: '' });
    expect(request).toBeNull();
    expect(errors.map((error) => error.field)).toEqual(['name', 'targetAccountIds', 'priceDropPercent']);
  });

  it('sends the percentage only for price triggers and the cron only for schedules', () => {
    const price = triggerRequest({ ...FORM, kind: 'PRICE', priceDropPercent: '20 %', targetImageName: 'copy' }).request!;
    expect(price.priceDropPercent).toBe(20);
    expect(price.cron).toBeUndefined();
    expect(price.options).toEqual({ targetImageName: 'copy' });
    expect(triggerRequest({ ...FORM, kind: 'IMAGE', imageNamePattern: ' ' }).request).toMatchObject({ kind: 'IMAGE', imageNamePattern: '*' });
  });

  it('parses tags and says which entry is wrong', () => {
    expect(parseTags('env=prod, team = web\nempty=')).toEqual({ tags: { env: 'prod', team: 'web', empty: '' }, error: null });
    expect(parseTags('env=prod, oops').error).toBe('"oops" is not key=value');
    expect(parseTags('=x').error).toBe('"=x" is not key=value');
    expect(triggerRequest({ ...FORM, imageTags: 'oops' }).errors).toEqual([{ field: 'imageTags', message: '"oops" is not key=value' }]);
    expect(formatTags({ env: 'prod', team: 'web' })).toBe('env=prod, team=web');
  });
});

describe('reading triggers', () => {
  const trigger: Trigger = {
    id: 'tr',
    name: 'nightly',
    kind: 'SCHEDULE',
    cron: '0 0 2 * * *',
    ownerUserId: 'u',
    sourceAccountId: 'src',
    imageNamePattern: 'web-*',
    imageTags: { env: 'prod' },
    targetAccountIds: ['t1'],
    options: { targetImageName: 'copy' },
    priceDropPercent: null,
    enabled: true,
    createdAt: '2026-12-01T00:00:00Z',
    updatedAt: '2026-12-01T00:00:00Z',
    nextFireAt: '2026-12-03T02:00:00Z',
  };

  it('describes the condition and the images', () => {
    expect(triggerCondition(trigger)).toBe('on the schedule 0 0 2 * * * (UTC)');
    expect(triggerCondition({ kind: 'PRICE', priceDropPercent: 15 })).toBe('when a target is at least 15 % cheaper to run than the source');
    expect(triggerImages(trigger)).toBe('images named web-* tagged env=prod');
    expect(triggerImages({ imageNamePattern: '*', imageTags: {} })).toBe('every image');
    expect(nextFiring({ ...trigger, enabled: false })).toBe('disabled');
    expect(nextFiring({ ...trigger, kind: 'IMAGE', nextFireAt: null })).toBe('checked every round');
    expect(nextFiring(trigger)).not.toBe('—');
  });

  it('round-trips through the form', () => {
    expect(triggerRequest(triggerFormValues(trigger)).request).toEqual({
      name: 'nightly',
      kind: 'SCHEDULE',
      cron: '0 0 2 * * *',
      sourceAccountId: 'src',
      imageNamePattern: 'web-*',
      imageTags: { env: 'prod' },
      targetAccountIds: ['t1'],
      options: { targetImageName: 'copy' },
      enabled: true,
    });
  });

  it('finds the last firing and the migrations started, newest first', () => {
    const history = triggerHistory([
      { eventKey: 'schedule:1', occurredAt: '2026-12-01T02:00:10Z', fired: true, migrationId: null, outcome: null },
      { eventKey: 'schedule:1:a->t', occurredAt: '2026-12-01T02:00:10Z', fired: true, migrationId: 'm1', outcome: 'migration m1 QUEUED' },
      { eventKey: 'schedule:2:a->t', occurredAt: '2026-12-02T02:00:05Z', fired: true, migrationId: 'm2', outcome: 'migration m2 QUEUED' },
      { eventKey: 'schedule:2:b->t', occurredAt: '2026-12-02T02:00:05Z', fired: true, migrationId: null, outcome: 'POLICY_REFUSED: over budget' },
      { eventKey: 'image:seen', occurredAt: '2026-12-03T00:00:00Z', fired: false, migrationId: null, outcome: null },
    ]);
    expect(history.lastFiredAt).toBe('2026-12-02T02:00:05Z');
    expect(history.migrationIds).toEqual(['m2', 'm1']);
    expect(history.refused.map((event) => event.outcome)).toEqual(['POLICY_REFUSED: over budget']);
    expect(triggerHistory([]).lastFiredAt).toBeNull();
  });
});
