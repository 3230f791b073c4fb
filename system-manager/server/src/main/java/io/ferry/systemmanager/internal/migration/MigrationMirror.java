package io.ferry.systemmanager.internal.migration;

import io.ferry.orchestrator.MigrationEvent;
import io.ferry.orchestrator.MigrationEventListener;
import io.ferry.orchestrator.MigrationStatus;
import io.ferry.orchestrator.Orchestrator;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Mirrors the orchestrator's job state (its own tables) into the {@code migration} and {@code
 * migration_step} rows after every event of this server's workers, so the migration API shows
 * state, current step, progress and errors. A CANCELLING migration stays CANCELLING until the job
 * ends. Events of workers in other processes are not seen here; the events endpoint reads the
 * orchestrator's tables directly.
 */
final class MigrationMirror implements MigrationEventListener {

  private static final Logger LOG = LoggerFactory.getLogger(MigrationMirror.class);

  private final JdbcTemplate jdbc;
  private final Clock clock;
  private final Consumer<MigrationStatus> whenFinished;
  private volatile Orchestrator orchestrator;

  /**
   * @param whenFinished called with the final status once a job ended (records its actual cost);
   *     may be called more than once for a job and must be idempotent
   */
  MigrationMirror(JdbcTemplate jdbc, Clock clock, Consumer<MigrationStatus> whenFinished) {
    this.jdbc = jdbc;
    this.clock = clock;
    this.whenFinished = whenFinished;
  }

  void attach(Orchestrator orchestrator) {
    this.orchestrator = orchestrator;
  }

  @Override
  public void onEvent(MigrationEvent event) {
    Orchestrator source = orchestrator;
    if (source == null) {
      return;
    }
    try {
      source.status(event.jobId()).ifPresent(this::mirror);
    } catch (RuntimeException e) {
      LOG.warn("cannot mirror the state of migration {}: {}", event.jobId(), e.toString());
    }
  }

  void mirror(MigrationStatus status) {
    UUID id;
    try {
      id = UUID.fromString(status.jobId());
    } catch (IllegalArgumentException notOurs) {
      return;
    }
    String state = status.state().name();
    jdbc.update("update migration set state = case when state = 'CANCELLING' and ? = 'RUNNING' then state else ? end,"
            + " current_step = ?, progress_percent = ?, error_code = ?, error_message = ?, updated_at = ?,"
            + " finished_at = ? where id = ?",
        state, state, status.currentStep() == null ? null : status.currentStep().name(), status.progressPercent(),
        status.errorCode(), status.errorMessage(), Timestamp.from(clock.instant()),
        status.finishedAt() == null ? null : Timestamp.from(status.finishedAt()), id);
    for (MigrationStatus.StepStatus step : status.steps()) {
      String stepState = switch (step.state()) {
        case PENDING -> "PENDING";
        case RUNNING -> "RUNNING";
        case SUCCEEDED -> "DONE";
        case SKIPPED -> "SKIPPED";
        case FAILED -> "FAILED";
        case CANCELLED -> step.attempts() > 0 ? "FAILED" : "SKIPPED";
      };
      jdbc.update("update migration_step set state = ?, started_at = ?, finished_at = ? where migration_id = ?"
              + " and name = ?", stepState, step.startedAt() == null ? null : Timestamp.from(step.startedAt()),
          step.finishedAt() == null ? null : Timestamp.from(step.finishedAt()), id, step.name().name());
    }
    if (status.state().finished()) {
      try {
        whenFinished.accept(status);
      } catch (RuntimeException e) {
        LOG.warn("the end of migration {} was not recorded: {}", id, e.toString());
      }
    }
  }
}
