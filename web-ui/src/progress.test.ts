import { describe, expect, it } from 'vitest';
import { ProgressTracker, percent } from './progress';

const MIB = 1024 * 1024;

describe('ProgressTracker', () => {
  it('knows no speed before two samples', () => {
    const tracker = new ProgressTracker();
    expect(tracker.speed()).toBeNull();
    tracker.add({ at: 1000, bytesDone: 0 });
    expect(tracker.speed()).toBeNull();
    expect(tracker.secondsLeft(100 * MIB)).toBeNull();
  });

  it('derives speed and time left from the samples', () => {
    const tracker = new ProgressTracker();
    tracker.add({ at: 0, bytesDone: 0 });
    tracker.add({ at: 2000, bytesDone: 20 * MIB });
    expect(tracker.speed()).toBe(10 * MIB);
    expect(tracker.secondsLeft(100 * MIB)).toBe(8);
  });

  it('forgets samples older than the window so the speed follows the recent rate', () => {
    const tracker = new ProgressTracker(10_000);
    tracker.add({ at: 0, bytesDone: 0 });
    tracker.add({ at: 10_000, bytesDone: 100 * MIB }); // 10 MiB/s
    tracker.add({ at: 20_000, bytesDone: 120 * MIB }); // then 2 MiB/s
    tracker.add({ at: 30_000, bytesDone: 140 * MIB });
    expect(tracker.speed()).toBe(2 * MIB);
  });

  it('starts over when the count goes back (a retried step)', () => {
    const tracker = new ProgressTracker();
    tracker.add({ at: 0, bytesDone: 0 });
    tracker.add({ at: 1000, bytesDone: 50 * MIB });
    tracker.add({ at: 2000, bytesDone: 1 * MIB });
    expect(tracker.speed()).toBeNull();
    tracker.add({ at: 3000, bytesDone: 5 * MIB });
    expect(tracker.speed()).toBe(4 * MIB);
  });

  it('answers zero time left once done and unknown for unknown totals or no progress', () => {
    const tracker = new ProgressTracker();
    tracker.add({ at: 0, bytesDone: 10 });
    tracker.add({ at: 1000, bytesDone: 10 });
    expect(tracker.secondsLeft(100)).toBeNull();
    expect(tracker.secondsLeft(-1)).toBeNull();
    expect(tracker.secondsLeft(10)).toBe(0);
  });
});

describe('percent', () => {
  it('is whole, bounded and unknown without a total', () => {
    expect(percent(1, 3)).toBe(33);
    expect(percent(5, 4)).toBe(100);
    expect(percent(5, 0)).toBeNull();
    expect(percent(5, -1)).toBeNull();
  });
});
