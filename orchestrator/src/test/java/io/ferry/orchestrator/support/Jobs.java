package io.ferry.orchestrator.support;

import io.ferry.orchestrator.MigrationStatus;
import io.ferry.orchestrator.Orchestrator;
import java.time.Duration;
import java.time.Instant;

/** Waiting for jobs and describing them in assertion messages. */
public final class Jobs {

  private Jobs() {}

  /**
   * Polls {@code job} every {@code poll} until it has finished, or fails the test after {@code
   * limit} with the job's steps (an external worker and its disk I/O: no clock to inject).
   */
  public static MigrationStatus await(Orchestrator orchestrator, String job, Duration limit, Duration poll)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(limit);
    while (Instant.now().isBefore(deadline)) {
      MigrationStatus status = orchestrator.status(job).orElseThrow();
      if (status.state().finished()) {
        return status;
      }
      Thread.sleep(poll.toMillis());
    }
    throw new AssertionError("job " + job + " did not finish: " + describe(orchestrator.status(job).orElseThrow()));
  }

  /** The job's state, error and each step's state, attempts and error, one step a line. */
  public static String describe(MigrationStatus status) {
    StringBuilder text = new StringBuilder(status.state() + " " + status.errorCode() + " " + status.errorMessage());
    for (MigrationStatus.StepStatus step : status.steps()) {
      text.append("\n  ").append(step.name()).append(' ').append(step.state()).append(" attempts=")
          .append(step.attempts()).append(' ').append(step.errorCode()).append(' ').append(step.errorMessage());
    }
    return text.toString();
  }
}
