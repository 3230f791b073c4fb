package io.ferry.orchestrator.internal;

import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.ExecutionContext;
import com.github.kagkarlsson.scheduler.task.FailureHandler;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.CustomTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import io.ferry.orchestrator.JobState;
import io.ferry.orchestrator.MigrationEvent;
import io.ferry.orchestrator.MigrationEventListener;
import io.ferry.orchestrator.OrchestratorSettings;
import io.ferry.orchestrator.StepName;
import io.ferry.orchestrator.StepState;
import io.ferry.orchestrator.internal.JobStore.Job;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The db-scheduler task that drives a job: one execution per job (instance id = job id); each run
 * of the execution runs the job's next step and reschedules the execution for the step after it,
 * so a worker that dies loses at most the step it was in, and db-scheduler's dead-execution
 * handling hands the job to another worker.
 */
public final class MigrationTask {

  /** The db-scheduler task name. */
  public static final String NAME = "ferry-migration";

  private static final Logger LOG = LoggerFactory.getLogger(MigrationTask.class);
  private static final Duration WAIT_FOR_BUNDLE = Duration.ofSeconds(1);
  private static final Instant SUPERSEDED = Instant.EPOCH;

  private final JobStore store;
  private final Steps steps;
  private final Clock clock;
  private final OrchestratorSettings settings;
  private final MigrationEventListener listener;
  private final Set<String> locallyCancelled;
  private final CustomTask<Void> task;

  public MigrationTask(JobStore store, Steps steps, Clock clock, OrchestratorSettings settings,
      MigrationEventListener listener, Set<String> locallyCancelled) {
    this.store = store;
    this.steps = steps;
    this.clock = clock;
    this.settings = settings;
    this.listener = listener;
    this.locallyCancelled = locallyCancelled;
    this.task = Tasks.custom(NAME, Void.class)
        .onFailure(new FailureHandler.ExponentialBackoffFailureHandler<>(Duration.ofSeconds(2)))
        .onDeadExecutionRevive()
        .execute(this::execute);
  }

  /** The db-scheduler task. */
  public CustomTask<Void> task() {
    return task;
  }

  /** The execution of {@code jobId}. */
  public TaskInstance<Void> instance(String jobId) {
    return task.instance(jobId);
  }

  private CompletionHandler<Void> execute(TaskInstance<Void> instance, ExecutionContext context) {
    String jobId = instance.getId();
    Optional<Job> found = store.job(jobId);
    if (found.isEmpty() || found.get().state().finished()) {
      return (complete, operations) -> operations.remove();
    }
    Job job = found.get();
    List<StepState> states = store.stepStates(jobId);
    boolean cancelled = job.cancelRequested() || locallyCancelled.contains(jobId);
    if (cancelled && states.get(StepName.CLEANUP.ordinal()) == StepState.PENDING) {
      String reason = job.cancelReason() == null ? "cancelled on request" : job.cancelReason();
      store.setJobError(jobId, null, ErrorCode.CANCELLED.name(), reason);
      store.closeRemainingSteps(jobId, StepState.CANCELLED, "not run: the migration was cancelled");
      states = store.stepStates(jobId);
      job = store.job(jobId).orElseThrow();
    }
    StepName step = null;
    for (StepName candidate : StepName.values()) {
      StepState state = states.get(candidate.ordinal());
      if (state == StepState.PENDING || state == StepState.RUNNING) {
        step = candidate;
        break;
      }
    }
    if (step == null) {
      finish(job);
      return (complete, operations) -> operations.remove();
    }
    Instant next = runStep(job, step);
    if (next == SUPERSEDED) {
      // Another worker took this execution over (it thought this one dead); leave it to that one.
      return (complete, operations) -> {};
    }
    if (next == null) {
      finish(store.job(jobId).orElseThrow());
      return (complete, operations) -> operations.remove();
    }
    return (complete, operations) -> operations.reschedule(complete, next);
  }

  /** Runs one step; returns when the execution should run next, or null when the job is done. */
  private Instant runStep(Job job, StepName step) {
    String jobId = job.id();
    int attempt = store.startAttempt(jobId, step, settings.workerName());
    emit(jobId, JobState.RUNNING, step, StepState.RUNNING, 0, -1, null, null, "attempt " + attempt);
    StepContext context = new StepContext(store, clock, jobId, step, settings.timeout(step), settings.hook(),
        locallyCancelled, (name, done, total, eta) -> emit(jobId, JobState.RUNNING, name, StepState.RUNNING, done,
            total, eta, null, null));
    FerryException failure;
    try {
      Steps.Outcome outcome = steps.run(job, step, context);
      if (outcome == Steps.Outcome.WAIT) {
        if (!store.finishAttempt(jobId, step, attempt, StepState.PENDING, "WAITING", null,
            "waiting for another job to finish the bundle of this source image version", null)) {
          return SUPERSEDED;
        }
        return clock.instant().plus(WAIT_FOR_BUNDLE);
      }
      StepState state = outcome == Steps.Outcome.SKIPPED ? StepState.SKIPPED : StepState.SUCCEEDED;
      if (!store.finishAttempt(jobId, step, attempt, state, "SUCCEEDED", null, null, null)) {
        return superseded(jobId, step, attempt);
      }
      emit(jobId, JobState.RUNNING, step, state, 0, -1, null, null, null);
      return step == StepName.CLEANUP ? null : clock.instant();
    } catch (FerryException e) {
      failure = e;
    } catch (IOException | UncheckedIOException e) {
      failure = new FerryException(ErrorCode.IO_ERROR, step + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      LOG.error("step {} of job {} broke", step, jobId, e);
      failure = new FerryException(ErrorCode.INTERNAL, step + ": " + e, e);
    }
    String code = failure.code().name();
    String message = failure.getMessage();
    if (failure.code() == ErrorCode.CANCELLED) {
      if (!store.finishAttempt(jobId, step, attempt, StepState.CANCELLED, "CANCELLED", code, message, null)) {
        return superseded(jobId, step, attempt);
      }
      emit(jobId, JobState.RUNNING, step, StepState.CANCELLED, 0, -1, null, code, message);
      return clock.instant(); // the next run sees the cancel and goes to CLEANUP
    }
    if (failure.retryable() && attempt < settings.maxAttempts()) {
      Duration backoff = backoff(attempt);
      Instant next = clock.instant().plus(backoff);
      if (!store.finishAttempt(jobId, step, attempt, StepState.PENDING, "RETRY", code, message, next)) {
        return superseded(jobId, step, attempt);
      }
      LOG.warn("step {} of job {} failed (attempt {}), retrying in {}: {}", step, jobId, attempt, backoff, message);
      emit(jobId, JobState.RUNNING, step, StepState.PENDING, 0, -1, null, code, message + " (retrying)");
      return next;
    }
    if (!store.finishAttempt(jobId, step, attempt, StepState.FAILED, "FAILED", code, message, null)) {
      return superseded(jobId, step, attempt);
    }
    LOG.warn("step {} of job {} failed: {}: {}", step, jobId, code, message);
    emit(jobId, JobState.RUNNING, step, StepState.FAILED, 0, -1, null, code, message);
    store.setJobError(jobId, step, code, message);
    if (step == StepName.CLEANUP) {
      return null;
    }
    store.closeRemainingSteps(jobId, StepState.CANCELLED, "not run: step " + step + " failed");
    return clock.instant();
  }

  private static Instant superseded(String jobId, StepName step, int attempt) {
    LOG.warn("attempt {} of step {} of job {} was taken over by another worker; its outcome is dropped", attempt, step,
        jobId);
    return SUPERSEDED;
  }

  private Duration backoff(int attempt) {
    return backoff(attempt, settings.retryBackoff(), settings.maxRetryBackoff());
  }

  /** The delay after failed attempt {@code attempt} (1-based): {@code base * 2^(attempt-1)}, at most {@code max}. */
  public static Duration backoff(int attempt, Duration base, Duration max) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempts count from 1: " + attempt);
    }
    Duration delay = base.multipliedBy(1L << Math.min(20, attempt - 1));
    return delay.compareTo(max) > 0 ? max : delay;
  }

  private void finish(Job job) {
    JobState state;
    if (ErrorCode.CANCELLED.name().equals(job.errorCode())) {
      state = JobState.CANCELLED;
    } else if (job.errorCode() != null) {
      state = JobState.FAILED;
    } else {
      state = JobState.SUCCEEDED;
    }
    store.finishJob(job.id(), state);
    locallyCancelled.remove(job.id());
    LOG.info("job {} {}", job.id(), state);
    emit(job.id(), state, null, null, 0, -1, null, job.errorCode(), job.errorMessage());
  }

  private void emit(String jobId, JobState jobState, StepName step, StepState stepState, long done, long total,
      Duration eta, String errorCode, String message) {
    try {
      listener.onEvent(new MigrationEvent(jobId, jobState, step, stepState, done, total, eta, errorCode, message,
          clock.instant()));
    } catch (RuntimeException e) {
      LOG.warn("a migration event listener failed: {}", e.toString());
    }
  }
}
