// Speed and time left of a running step, from the byte counts the events report over time.

/** One observation of a step's progress. */
export interface ProgressSample {
  /** Milliseconds since the epoch when the count was observed. */
  readonly at: number;
  readonly bytesDone: number;
}

/**
 * Keeps the recent samples of one step and derives its speed over a sliding window, so one slow
 * or fast moment does not swing the estimate.
 */
export class ProgressTracker {
  private samples: ProgressSample[] = [];

  constructor(private readonly windowMilliseconds = 10_000) {}

  /** Records a count; a count lower than the last one (the step restarted) starts over. */
  add(sample: ProgressSample): void {
    const last = this.samples[this.samples.length - 1];
    if (last && (sample.bytesDone < last.bytesDone || sample.at < last.at)) {
      this.samples = [];
    }
    this.samples.push(sample);
    const oldest = sample.at - this.windowMilliseconds;
    while (this.samples.length > 2 && this.samples[1].at <= oldest) {
      this.samples.shift();
    }
  }

  /** Bytes per second over the window, null until two samples at different times exist. */
  speed(): number | null {
    if (this.samples.length < 2) {
      return null;
    }
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const seconds = (last.at - first.at) / 1000;
    if (seconds <= 0) {
      return null;
    }
    return (last.bytesDone - first.bytesDone) / seconds;
  }

  /** Seconds left to reach bytesTotal at the current speed, null when unknown. */
  secondsLeft(bytesTotal: number): number | null {
    const speed = this.speed();
    const last = this.samples[this.samples.length - 1];
    if (!last || bytesTotal < 0) {
      return null;
    }
    if (last.bytesDone >= bytesTotal) {
      return 0;
    }
    if (speed === null || speed <= 0) {
      return null;
    }
    return (bytesTotal - last.bytesDone) / speed;
  }
}

/** Percent (0..100, whole) of done over total; null when the total is unknown. */
export function percent(done: number, total: number): number | null {
  if (!(total > 0)) {
    return null;
  }
  return Math.max(0, Math.min(100, Math.floor((100 * done) / total)));
}
