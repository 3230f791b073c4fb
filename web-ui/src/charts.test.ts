import { describe, expect, it } from 'vitest';
import type { Migration } from './api';
import { barChart, bytesMoved, bytesPerDay, lastDays, meanStepDurations, migrationsPerDay } from './charts';

function migration(overrides: Partial<Migration>): Migration {
  return {
    id: 'm',
    sourceAccountId: 's',
    sourceImageId: 'img',
    targetAccountId: 't',
    state: 'SUCCEEDED',
    progressPercent: 100,
    createdAt: '2026-03-10T12:00:00Z',
    finishedAt: '2026-03-10T12:10:00Z',
    steps: [],
    ...overrides,
  };
}

describe('chart data', () => {
  it('lists the last days oldest first across month ends', () => {
    expect(lastDays(new Date('2026-03-02T08:00:00Z'), 3)).toEqual(['2026-02-28', '2026-03-01', '2026-03-02']);
  });

  it('counts migrations per day and ignores days outside the range', () => {
    const days = ['2026-03-09', '2026-03-10'];
    const counts = migrationsPerDay(
      [migration({}), migration({ createdAt: '2026-03-10T23:59:00Z' }), migration({ createdAt: '2026-01-01T00:00:00Z' })],
      days,
    );
    expect([...counts]).toEqual([['2026-03-09', 0], ['2026-03-10', 2]]);
  });

  it('measures bytes moved from step totals, else the image size, and only for succeeded migrations', () => {
    const sizes = new Map([['s/img', 1000]]);
    expect(bytesMoved(migration({ steps: [{ name: 'EXPORT', state: 'SUCCEEDED', bytesTotal: 700 }] }), sizes)).toBe(700);
    expect(bytesMoved(migration({}), sizes)).toBe(1000);
    expect(bytesMoved(migration({ state: 'FAILED' }), sizes)).toBe(0);
    expect([...bytesPerDay([migration({}), migration({})], ['2026-03-10'], sizes)]).toEqual([['2026-03-10', 2000]]);
  });

  it('averages each step over the runs that finished it, skipping skipped steps', () => {
    const runs = [
      migration({ steps: [
        { name: 'EXPORT', state: 'SUCCEEDED', startedAt: '2026-03-10T12:00:00Z', finishedAt: '2026-03-10T12:00:10Z' },
        { name: 'STRIP', state: 'SKIPPED', startedAt: '2026-03-10T12:00:10Z', finishedAt: '2026-03-10T12:00:10Z' },
      ] }),
      migration({ steps: [
        { name: 'EXPORT', state: 'SUCCEEDED', startedAt: '2026-03-10T12:00:00Z', finishedAt: '2026-03-10T12:00:30Z' },
        { name: 'STRIP', state: 'PENDING' },
      ] }),
    ];
    expect(meanStepDurations(runs)).toEqual([{ step: 'EXPORT', seconds: 20, runs: 2 }]);
  });
});

describe('barChart', () => {
  it('scales bars to the largest value, labels the chart and escapes text', () => {
    const svg = barChart('Per <day>', [
      { label: 'a', value: 1, title: 'one & only' },
      { label: 'b', value: 2, title: 'two' },
    ], String);
    expect(svg).toContain('aria-label="Per &lt;day&gt;"');
    expect(svg).toContain('<title>one &amp; only</title>');
    const heights = [...svg.matchAll(/height="([\d.]+)" class="bar"/g)].map((match) => Number(match[1]));
    expect(heights).toHaveLength(2);
    expect(heights[1]).toBeCloseTo(heights[0] * 2, 1);
  });

  it('draws empty data without dividing by zero', () => {
    const svg = barChart('Nothing', [{ label: 'a', value: 0, title: 'none' }], String);
    expect(svg).toContain('height="0.0" class="bar"');
    expect(svg).not.toContain('NaN');
  });
});
