// Formatting of sizes, speeds, durations and times for people.

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1536 -> "1.5 KiB"; negative or non-finite sizes are unknown ("—"). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) {
    return '—';
  }
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) {
    return `${Math.round(value)} B`;
  }
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

/** Bytes per second -> "12.3 MiB/s". */
export function formatSpeed(bytesPerSecond: number | null | undefined): string {
  if (bytesPerSecond === null || bytesPerSecond === undefined || !Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) {
    return '—';
  }
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** Seconds -> "1 h 02 min", "3 min 05 s", "42 s"; unknown -> "—". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) {
    return '—';
  }
  const total = Math.round(seconds);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = total % 60;
  if (hours > 0) {
    return `${hours} h ${String(minutes).padStart(2, '0')} min`;
  }
  if (minutes > 0) {
    return `${minutes} min ${String(rest).padStart(2, '0')} s`;
  }
  return `${rest} s`;
}

/**
 * Parses an ISO-8601 duration as Jackson writes java.time.Duration ("PT1H2M3.5S", "PT-0.5S") or
 * a number of seconds; null when absent or unreadable.
 */
export function parseDurationSeconds(value: unknown): number | null {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : null;
  }
  if (typeof value !== 'string') {
    return null;
  }
  const match = /^(-)?P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(-?\d+(?:\.\d+)?)H)?(?:(-?\d+(?:\.\d+)?)M)?(?:(-?\d+(?:\.\d+)?)S)?)?$/.exec(value.trim());
  if (!match || value.trim() === 'P' || value.trim() === 'PT') {
    const number = Number(value);
    return value.trim() !== '' && Number.isFinite(number) ? number : null;
  }
  const [, negative, days, hours, minutes, seconds] = match;
  const total =
    Number(days ?? 0) * 86400 + Number(hours ?? 0) * 3600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0);
  return negative ? -total : total;
}

/** Seconds between two ISO instants, null when either is missing. */
export function secondsBetween(from: string | null | undefined, to: string | null | undefined): number | null {
  if (!from || !to) {
    return null;
  }
  const start = Date.parse(from);
  const end = Date.parse(to);
  if (Number.isNaN(start) || Number.isNaN(end)) {
    return null;
  }
  return Math.max(0, (end - start) / 1000);
}

/** An ISO instant in the reader's locale, "—" when absent. */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) {
    return '—';
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    return '—';
  }
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** "SUCCEEDED" -> "Succeeded", "PREPARE_TARGET" -> "Prepare target". */
export function humanize(constant: string | null | undefined): string {
  if (!constant) {
    return '—';
  }
  const words = constant.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** US dollars: "$1,234.50"; below a dollar four decimals ("$0.0545") so small estimates do not read as zero. */
export function formatMoney(value: number | string | null | undefined): string {
  const number = typeof value === 'string' ? Number(value) : value;
  if (number === null || number === undefined || !Number.isFinite(number)) {
    return '—';
  }
  const digits = number !== 0 && Math.abs(number) < 1 ? 4 : 2;
  const text = Math.abs(number).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${number < 0 ? '−' : ''}$${text}`;
}

/** A ratio 0..1 as "87.5 %"; unknown -> "—". */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) {
    return '—';
  }
  const percent = ratio * 100;
  return `${Number.isInteger(percent) ? percent : percent.toFixed(1)} %`;
}

/** "2026-11" -> "November 2026" (UTC months, as the API counts them). */
export function formatMonth(month: string): string {
  const match = /^(\d{4})-(\d{2})$/.exec(month);
  if (!match) {
    return month;
  }
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1));
  return date.toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/** The UTC month ("2026-11") of a date, and `back` months before it. */
export function utcMonth(date: Date, back = 0): string {
  const shifted = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - back, 1));
  return shifted.toISOString().slice(0, 7);
}

/** Step times for charts: tenths below ten seconds ("0.4 s"), else as formatDuration. */
export function formatStepSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) {
    return '—';
  }
  return seconds < 10 ? `${seconds.toFixed(1)} s` : formatDuration(seconds);
}
