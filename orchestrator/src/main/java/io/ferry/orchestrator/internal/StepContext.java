package io.ferry.orchestrator.internal;

import io.ferry.orchestrator.StepHook;
import io.ferry.orchestrator.StepName;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.ProgressListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * One run of one step: checks for cancel and the step's time limit between blocks, records
 * progress (throttled) and checkpoints, and calls the test hook.
 */
public final class StepContext {

  private static final Duration CANCEL_POLL = Duration.ofMillis(250);
  private static final Duration PROGRESS_EVERY = Duration.ofMillis(500);

  /** Receives recorded progress (for events). */
  public interface ProgressSink {
    void progress(StepName step, long bytesDone, long bytesTotal, Duration eta);
  }

  private final JobStore store;
  private final Clock clock;
  private final String jobId;
  private final StepName step;
  private final Instant deadline;
  private final StepHook hook;
  private final Set<String> locallyCancelled;
  private final ProgressSink sink;
  private final Instant started;
  private Instant lastCancelPoll = Instant.MIN;
  private Instant lastProgress = Instant.MIN;
  private long bytesDone;
  private long bytesTotal = -1;

  public StepContext(JobStore store, Clock clock, String jobId, StepName step, Duration timeout, StepHook hook,
      Set<String> locallyCancelled, ProgressSink sink) {
    this.store = store;
    this.clock = clock;
    this.jobId = jobId;
    this.step = step;
    this.started = clock.instant();
    this.deadline = started.plus(timeout);
    this.hook = hook;
    this.locallyCancelled = locallyCancelled;
    this.sink = sink;
  }

  public String jobId() {
    return jobId;
  }

  public StepName step() {
    return step;
  }

  /**
   * A block boundary: calls the hook, then throws CANCELLED when the job was cancelled (CLEANUP is
   * never cancelled) and TIMEOUT when the step ran past its limit.
   */
  public synchronized void check() {
    hook.reached(jobId, step, bytesDone);
    if (step == StepName.CLEANUP) {
      return;
    }
    Instant now = clock.instant();
    if (locallyCancelled.contains(jobId)) {
      throw cancelled();
    }
    if (Duration.between(lastCancelPoll, now).compareTo(CANCEL_POLL) >= 0) {
      lastCancelPoll = now;
      if (store.cancelRequested(jobId)) {
        throw cancelled();
      }
    }
    if (now.isAfter(deadline)) {
      throw new FerryException(ErrorCode.TIMEOUT,
          "step " + step + " ran longer than its limit of " + Duration.between(started, deadline));
    }
  }

  private FerryException cancelled() {
    return new FerryException(ErrorCode.CANCELLED, "the migration was cancelled during " + step);
  }

  /** Records progress (at most every half second, always at the end) and checks cancel and time. */
  public synchronized void progress(long done, long total) {
    bytesDone = done;
    bytesTotal = total;
    Instant now = clock.instant();
    boolean last = total >= 0 && done >= total;
    if (last || Duration.between(lastProgress, now).compareTo(PROGRESS_EVERY) >= 0) {
      lastProgress = now;
      Duration eta = null;
      long elapsed = Duration.between(started, now).toMillis();
      if (total > 0 && done > 0 && elapsed > 0) {
        eta = Duration.ofMillis((long) ((double) elapsed * (total - done) / done));
      }
      store.progress(jobId, step, done, total, eta == null ? null : eta.toSeconds());
      sink.progress(step, done, total, eta);
    }
    check();
  }

  /**
   * Records the end of a step that succeeded: a step that counted bytes keeps its last count (stored
   * even when the half-second throttle skipped it), so that EXPORT's bytes stay what the source
   * sent (billing and reports read them); a step that counted none shows 1 of 1.
   */
  public synchronized void complete() {
    if (bytesDone <= 0) {
      progress(1, 1);
      return;
    }
    long total = Math.max(bytesTotal, bytesDone);
    store.progress(jobId, step, bytesDone, total, 0L);
    sink.progress(step, bytesDone, total, Duration.ZERO);
  }

  /** A progress listener that records progress and checks cancel and time at every call. */
  public ProgressListener listener() {
    return this::progress;
  }

  /** Stores the step's checkpoint. */
  public void checkpoint(String json) {
    store.saveCheckpoint(jobId, step, json);
  }

  /** The step's checkpoint from an earlier run, or null. */
  public String savedCheckpoint() {
    return store.checkpoint(jobId, step);
  }

  /** Time left until the step's limit. */
  public Duration remaining() {
    return Duration.between(clock.instant(), deadline);
  }
}
