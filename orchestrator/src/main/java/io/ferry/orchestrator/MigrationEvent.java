package io.ferry.orchestrator;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A change of a migration job: a step started, progressed, finished or failed, or the job ended.
 *
 * @param jobId the job (the system manager's migration id)
 * @param jobState the job's state after the change
 * @param step the step concerned, or null for job-level events
 * @param stepState the step's state after the change, or null for job-level events
 * @param bytesDone bytes the step finished so far (0 when not applicable)
 * @param bytesTotal the step's total bytes, or -1 when unknown
 * @param eta the estimated time until the step finishes, or null when unknown
 * @param errorCode the error code when something failed, else null
 * @param message a human explanation of the change, may be null
 * @param at when it happened
 */
public record MigrationEvent(
    String jobId,
    JobState jobState,
    StepName step,
    StepState stepState,
    long bytesDone,
    long bytesTotal,
    Duration eta,
    String errorCode,
    String message,
    Instant at) {

  public MigrationEvent {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(jobState, "jobState");
    Objects.requireNonNull(at, "at");
  }
}
