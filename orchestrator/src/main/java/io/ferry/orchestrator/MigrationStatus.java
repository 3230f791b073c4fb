package io.ferry.orchestrator;

import java.time.Instant;
import java.util.List;

/**
 * A job as recorded in the orchestrator's tables.
 *
 * @param jobId the job (the system manager's migration id)
 * @param state the job's state
 * @param currentStep the step running or due next, null when none ran yet
 * @param errorCode why the job failed or was cancelled ({@code CANCELLED}), else null
 * @param errorMessage the explanation of the error, else null
 * @param errorStep the step that failed, else null
 * @param bundleId the bundle used (made or reused), once known
 * @param diskDigest the SHA-256 of the restored and injected disk, once uploaded
 * @param resultImageId the registered image in the target, once registered
 * @param resultLocation where people find the registered image
 * @param createdAt when the job was submitted
 * @param updatedAt the last change
 * @param finishedAt when the job ended, else null
 * @param steps every step in order
 */
public record MigrationStatus(
    String jobId,
    JobState state,
    StepName currentStep,
    String errorCode,
    String errorMessage,
    StepName errorStep,
    String bundleId,
    String diskDigest,
    String resultImageId,
    String resultLocation,
    Instant createdAt,
    Instant updatedAt,
    Instant finishedAt,
    List<StepStatus> steps) {

  public MigrationStatus {
    steps = List.copyOf(steps);
  }

  /** The status of {@code name}. */
  public StepStatus step(StepName name) {
    return steps.stream().filter(step -> step.name() == name).findFirst().orElseThrow();
  }

  /** Progress over all steps in percent, 0 to 100 (finished and skipped steps count whole). */
  public int progressPercent() {
    if (state.finished()) {
      return 100;
    }
    double done = 0;
    for (StepStatus step : steps) {
      switch (step.state()) {
        case SUCCEEDED, SKIPPED, FAILED, CANCELLED -> done += 1;
        case RUNNING -> done += step.bytesTotal() > 0 ? Math.min(1.0, (double) step.bytesDone() / step.bytesTotal()) : 0;
        default -> {}
      }
    }
    return (int) Math.min(99, Math.floor(100 * done / steps.size()));
  }

  /**
   * One step.
   *
   * @param name the step
   * @param state its state
   * @param attempts how many times it started
   * @param errorCode the last error's code, else null
   * @param errorMessage the last error's message, else null
   * @param bytesDone bytes done in the current or last run
   * @param bytesTotal total bytes, or -1 when unknown
   * @param etaSeconds estimated seconds left, or null when unknown
   * @param checkpoint the step's checkpoint (JSON), else null
   * @param result what the step produced (JSON, such as the guest agent's report), else null
   * @param startedAt when the last run started
   * @param finishedAt when it finished
   */
  public record StepStatus(
      StepName name,
      StepState state,
      int attempts,
      String errorCode,
      String errorMessage,
      long bytesDone,
      long bytesTotal,
      Long etaSeconds,
      String checkpoint,
      String result,
      Instant startedAt,
      Instant finishedAt) {}
}
