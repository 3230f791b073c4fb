import { describe, expect, it } from 'vitest';
import { barChart, billBytesPerDay, budgetShares, costPerDay, daysOfMonth, perCloud, periodsPerDay, successRate } from './charts';
import { formatMoney, formatMonth, formatPercent, formatStepSeconds, utcMonth } from './format';
import { priceSheetFrom } from './views/prices';

describe('report chart data', () => {
  it('lays the report periods on the days, missing days as zero', () => {
    const days = ['2026-12-01', '2026-12-02', '2026-12-03'];
    const perDay = periodsPerDay(
      [
        { period: '2026-12-01T00:00:00Z', total: 3, succeeded: 2, failed: 1 },
        { period: '2026-12-03T00:00:00Z', total: 1, succeeded: 1, failed: 0 },
        { period: '2026-11-30T00:00:00Z', total: 9, succeeded: 9, failed: 0 },
      ],
      days,
    );
    expect([...perDay.values()].map((entry) => entry.total)).toEqual([3, 0, 1]);
    expect(perDay.get('2026-12-01')).toEqual({ total: 3, succeeded: 2, failed: 1 });
  });

  it('computes the success rate over finished runs only', () => {
    expect(successRate(3, 1)).toBe(0.75);
    expect(successRate(0, 0)).toBeNull();
  });

  it('sums the bill’s bytes per day they finished and lists a month’s days', () => {
    expect(daysOfMonth('2028-02')).toHaveLength(29);
    expect(daysOfMonth('2026-12').at(-1)).toBe('2026-12-31');
    const bytes = billBytesPerDay(
      [
        { createdAt: '2026-12-01T23:00:00Z', finishedAt: '2026-12-02T00:10:00Z', bytesMoved: 100 },
        { createdAt: '2026-12-02T10:00:00Z', finishedAt: null, bytesMoved: 50 },
      ],
      ['2026-12-01', '2026-12-02'],
    );
    expect([...bytes.entries()]).toEqual([['2026-12-01', 0], ['2026-12-02', 150]]);
    const costs = costPerDay(
      [
        { createdAt: '2026-12-01T10:00:00Z', finishedAt: '2026-12-01T11:00:00Z', actualTotal: 0.25 },
        { createdAt: '2026-12-01T12:00:00Z', finishedAt: '2026-12-01T13:00:00Z', actualTotal: 0.5 },
        { createdAt: '2026-11-30T12:00:00Z', finishedAt: '2026-11-30T13:00:00Z', actualTotal: 9 },
      ],
      ['2026-12-01', '2026-12-02'],
    );
    expect([...costs.entries()]).toEqual([['2026-12-01', 0.75], ['2026-12-02', 0]]);
  });

  it('orders clouds by migrations for one role', () => {
    const clouds = [
      { role: 'target', pluginId: 'aws', migrations: 1 },
      { role: 'source', pluginId: 'local', migrations: 5 },
      { role: 'target', pluginId: 'vsphere', migrations: 4 },
      { role: 'target', pluginId: 'azure', migrations: 1 },
    ];
    expect(perCloud(clouds, 'target').map((cloud) => cloud.pluginId)).toEqual(['vsphere', 'aws', 'azure']);
  });

  it('shares the budget bar between spent and committed, and flags going over', () => {
    expect(budgetShares({ budget: 100, spent: 25, committed: 50 })).toEqual({ spent: 0.25, committed: 0.25, over: false });
    expect(budgetShares({ budget: 100, spent: 100, committed: 200 })).toEqual({ spent: 0.5, committed: 0.5, over: true });
    expect(budgetShares({ budget: null, spent: 0, committed: 0 })).toEqual({ spent: 0, committed: 0, over: false });
    expect(budgetShares({ budget: null, spent: 5, committed: 10 })).toEqual({ spent: 0.5, committed: 0.5, over: false });
  });

  it('draws a labelled reference line (the budget) that scales the bars', () => {
    const svg = barChart('Spend', [{ label: '2026-12', value: 50, title: '$50' }], formatMoney, { value: 100, label: 'budget <$100>' });
    expect(svg).toContain('class="reference"');
    expect(svg).toContain('budget &lt;$100&gt;');
    // the bar is half the plot height (180 - 16 - 28 = 136) because the budget is twice the spend
    expect(svg).toContain('height="68.0"');
  });
});

describe('money and months', () => {
  it('formats dollars with four decimals below one dollar', () => {
    expect(formatMoney(1234.5)).toBe('$1,234.50');
    expect(formatMoney(0.05453)).toBe('$0.0545');
    expect(formatMoney(0)).toBe('$0.00');
    expect(formatMoney('2.5')).toBe('$2.50');
    expect(formatMoney(-0.5)).toBe('−$0.5000');
    expect(formatMoney(null)).toBe('—');
    expect(formatMoney('abc')).toBe('—');
  });

  it('formats rates and months', () => {
    expect(formatPercent(0.875)).toBe('87.5 %');
    expect(formatPercent(1)).toBe('100 %');
    expect(formatPercent(null)).toBe('—');
    expect(formatMonth('2026-11')).toBe('November 2026');
    expect(formatStepSeconds(0.42)).toBe('0.4 s');
    expect(formatStepSeconds(75)).toBe('1 min 15 s');
    expect(formatStepSeconds(undefined)).toBe('—');
    expect(formatMonth('later')).toBe('later');
    expect(utcMonth(new Date('2026-01-15T00:00:00Z'), 0)).toBe('2026-01');
    expect(utcMonth(new Date('2026-01-15T00:00:00Z'), 2)).toBe('2025-11');
  });

  it('checks a typed price sheet', () => {
    expect(priceSheetFrom({ egressPerGb: '0.09', helperVmPerHour: '$0.5', imageStoragePerGbMonth: '0', objectStoragePerGbMonth: '0.023' })).toEqual({
      sheet: { egressPerGb: 0.09, helperVmPerHour: 0.5, imageStoragePerGbMonth: 0, objectStoragePerGbMonth: 0.023 },
      errors: [],
    });
    const refused = priceSheetFrom({ egressPerGb: '-1', helperVmPerHour: '', imageStoragePerGbMonth: '0.1234567', objectStoragePerGbMonth: '1' });
    expect(refused.sheet).toBeNull();
    expect(refused.errors.map((error) => error.field)).toEqual(['egressPerGb', 'helperVmPerHour', 'imageStoragePerGbMonth']);
  });
});
