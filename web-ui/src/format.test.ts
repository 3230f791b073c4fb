import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatSpeed, humanize, parseDurationSeconds, secondsBetween } from './format';

describe('formatBytes', () => {
  it('uses binary units with sensible precision', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(20 * 1024 * 1024)).toBe('20.0 MiB');
    expect(formatBytes(512 * 1024 ** 3)).toBe('512 GiB');
    expect(formatBytes(2 * 1024 ** 4)).toBe('2.00 TiB');
  });
  it('shows unknown sizes as a dash', () => {
    expect(formatBytes(-1)).toBe('—');
    expect(formatBytes(null)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });
});

describe('formatSpeed', () => {
  it('formats bytes per second and hides zero speed', () => {
    expect(formatSpeed(3 * 1024 * 1024)).toBe('3.00 MiB/s');
    expect(formatSpeed(0)).toBe('—');
    expect(formatSpeed(null)).toBe('—');
  });
});

describe('formatDuration', () => {
  it('picks the two largest units', () => {
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(3720)).toBe('1 h 02 min');
    expect(formatDuration(0.4)).toBe('0 s');
  });
  it('shows unknown or negative durations as a dash', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(-3)).toBe('—');
  });
});

describe('parseDurationSeconds', () => {
  it('reads java.time.Duration as Jackson writes it', () => {
    expect(parseDurationSeconds('PT42S')).toBe(42);
    expect(parseDurationSeconds('PT1H2M3.5S')).toBe(3723.5);
    expect(parseDurationSeconds('PT2M')).toBe(120);
    expect(parseDurationSeconds('P1DT1S')).toBe(86401);
  });
  it('reads plain numbers of seconds', () => {
    expect(parseDurationSeconds(17)).toBe(17);
    expect(parseDurationSeconds('17.5')).toBe(17.5);
  });
  it('answers null for absent or unreadable values', () => {
    expect(parseDurationSeconds(null)).toBeNull();
    expect(parseDurationSeconds(undefined)).toBeNull();
    expect(parseDurationSeconds('soon')).toBeNull();
    expect(parseDurationSeconds('PT')).toBeNull();
    expect(parseDurationSeconds('')).toBeNull();
  });
});

describe('secondsBetween and humanize', () => {
  it('measures between instants and never goes negative', () => {
    expect(secondsBetween('2026-01-01T00:00:00Z', '2026-01-01T00:01:30Z')).toBe(90);
    expect(secondsBetween('2026-01-01T00:01:00Z', '2026-01-01T00:00:00Z')).toBe(0);
    expect(secondsBetween(null, '2026-01-01T00:00:00Z')).toBeNull();
  });
  it('turns constants into words', () => {
    expect(humanize('PREPARE_TARGET')).toBe('Prepare target');
    expect(humanize('SUCCEEDED')).toBe('Succeeded');
    expect(humanize(null)).toBe('—');
  });
});
