package io.ferry.orchestrator.internal;

import io.ferry.orchestrator.JobState;
import io.ferry.orchestrator.MigrationRequest;
import io.ferry.orchestrator.MigrationStatus;
import io.ferry.orchestrator.MigrationStatus.StepStatus;
import io.ferry.orchestrator.StepName;
import io.ferry.orchestrator.StepState;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** The orchestrator's tables, through plain JDBC. Every method is one short transaction. */
public final class JobStore {

  private final DataSource dataSource;
  private final Clock clock;

  public JobStore(DataSource dataSource, Clock clock) {
    this.dataSource = dataSource;
    this.clock = clock;
  }

  /** A job row. */
  public record Job(
      String id, String tenantId, String sourceAccountId, String sourceImageId, String targetAccountId,
      String options, JobState state, boolean cancelRequested, String cancelReason, String errorCode,
      String errorMessage, String bundleId, String diskDigest, String uploadId, String resultImageId) {}

  /** Inserts the job and its steps unless the job exists; returns whether it was new. */
  public boolean insert(MigrationRequest request, String optionsJson) {
    Instant now = clock.instant();
    return Jdbc.transaction(dataSource, connection -> {
      int inserted;
      try (PreparedStatement statement = connection.prepareStatement(
          "insert into orchestrator_job (id, tenant_id, source_account_id, source_image_id, target_account_id,"
              + " options, state, created_at, updated_at) values (?,?,?,?,?,?,?,?,?) on conflict (id) do nothing")) {
        statement.setString(1, request.migrationId());
        statement.setString(2, request.tenantId());
        statement.setString(3, request.sourceAccountId());
        statement.setString(4, request.sourceImageId());
        statement.setString(5, request.targetAccountId());
        statement.setString(6, optionsJson);
        statement.setString(7, JobState.QUEUED.name());
        statement.setTimestamp(8, Timestamp.from(now));
        statement.setTimestamp(9, Timestamp.from(now));
        inserted = statement.executeUpdate();
      }
      if (inserted == 0) {
        return false;
      }
      try (PreparedStatement statement = connection.prepareStatement(
          "insert into orchestrator_step (job_id, position, name, state) values (?,?,?,?)")) {
        for (StepName step : StepName.values()) {
          statement.setString(1, request.migrationId());
          statement.setInt(2, step.ordinal());
          statement.setString(3, step.name());
          statement.setString(4, StepState.PENDING.name());
          statement.addBatch();
        }
        statement.executeBatch();
      }
      return true;
    });
  }

  /** The job, if it exists. */
  public Optional<Job> job(String jobId) {
    return Jdbc.transaction(dataSource, connection -> {
      try (PreparedStatement statement = connection.prepareStatement("select * from orchestrator_job where id = ?")) {
        statement.setString(1, jobId);
        try (ResultSet row = statement.executeQuery()) {
          if (!row.next()) {
            return Optional.empty();
          }
          return Optional.of(new Job(row.getString("id"), row.getString("tenant_id"), row.getString("source_account_id"),
              row.getString("source_image_id"), row.getString("target_account_id"), row.getString("options"),
              JobState.valueOf(row.getString("state")), row.getBoolean("cancel_requested"), row.getString("cancel_reason"),
              row.getString("error_code"), row.getString("error_message"), row.getString("bundle_id"),
              row.getString("disk_digest"), row.getString("upload_id"), row.getString("result_image_id")));
        }
      }
    });
  }

  /** The job and its steps as the public view. */
  public Optional<MigrationStatus> status(String jobId) {
    return Jdbc.transaction(dataSource, connection -> {
      List<StepStatus> steps = new ArrayList<>();
      try (PreparedStatement statement = connection.prepareStatement(
          "select * from orchestrator_step where job_id = ? order by position")) {
        statement.setString(1, jobId);
        try (ResultSet row = statement.executeQuery()) {
          while (row.next()) {
            long eta = row.getLong("eta_seconds");
            Long etaSeconds = row.wasNull() ? null : eta;
            steps.add(new StepStatus(StepName.valueOf(row.getString("name")), StepState.valueOf(row.getString("state")),
                row.getInt("attempts"), row.getString("error_code"), row.getString("error_message"),
                row.getLong("bytes_done"), row.getLong("bytes_total"), etaSeconds, row.getString("checkpoint"),
                row.getString("result"), instant(row, "started_at"), instant(row, "finished_at")));
          }
        }
      }
      try (PreparedStatement statement = connection.prepareStatement("select * from orchestrator_job where id = ?")) {
        statement.setString(1, jobId);
        try (ResultSet row = statement.executeQuery()) {
          if (!row.next()) {
            return Optional.empty();
          }
          String current = row.getString("current_step");
          String errorStep = row.getString("error_step");
          return Optional.of(new MigrationStatus(jobId, JobState.valueOf(row.getString("state")),
              current == null ? null : StepName.valueOf(current), row.getString("error_code"),
              row.getString("error_message"), errorStep == null ? null : StepName.valueOf(errorStep),
              row.getString("bundle_id"), row.getString("disk_digest"), row.getString("result_image_id"),
              row.getString("result_location"), instant(row, "created_at"), instant(row, "updated_at"),
              instant(row, "finished_at"), steps));
        }
      }
    });
  }

  /** Every step's state, in order. */
  public List<StepState> stepStates(String jobId) {
    return Jdbc.transaction(dataSource, connection -> {
      List<StepState> states = new ArrayList<>();
      try (PreparedStatement statement = connection.prepareStatement(
          "select state from orchestrator_step where job_id = ? order by position")) {
        statement.setString(1, jobId);
        try (ResultSet row = statement.executeQuery()) {
          while (row.next()) {
            states.add(StepState.valueOf(row.getString(1)));
          }
        }
      }
      return states;
    });
  }

  /** The step's checkpoint JSON, or null. */
  public String checkpoint(String jobId, StepName step) {
    return stepColumn(jobId, step, "checkpoint");
  }

  /** The step's result JSON, or null. */
  public String result(String jobId, StepName step) {
    return stepColumn(jobId, step, "result");
  }

  private String stepColumn(String jobId, StepName step, String column) {
    return Jdbc.transaction(dataSource, connection -> {
      try (PreparedStatement statement = connection.prepareStatement(
          "select " + column + " from orchestrator_step where job_id = ? and name = ?")) {
        statement.setString(1, jobId);
        statement.setString(2, step.name());
        try (ResultSet row = statement.executeQuery()) {
          return row.next() ? row.getString(1) : null;
        }
      }
    });
  }

  /**
   * Starts a run of the step: marks runs a dead worker left RUNNING as CRASHED, counts the attempt,
   * inserts its attempt row and marks the step and job running. Returns the attempt number.
   */
  public int startAttempt(String jobId, StepName step, String worker) {
    Instant now = clock.instant();
    return Jdbc.transaction(dataSource, connection -> {
      Jdbc.update(connection, "update orchestrator_step_attempt set outcome = 'CRASHED', finished_at = ? where job_id = ?"
          + " and step = ? and outcome = 'RUNNING'", now, jobId, step.name());
      int attempt;
      try (PreparedStatement statement = connection.prepareStatement(
          "update orchestrator_step set attempts = attempts + 1, state = 'RUNNING', started_at = ?, finished_at = null,"
              + " next_attempt_at = null, bytes_done = 0, bytes_total = -1, eta_seconds = null"
              + " where job_id = ? and name = ? returning attempts")) {
        statement.setTimestamp(1, Timestamp.from(now));
        statement.setString(2, jobId);
        statement.setString(3, step.name());
        try (ResultSet row = statement.executeQuery()) {
          row.next();
          attempt = row.getInt(1);
        }
      }
      Jdbc.update(connection, "insert into orchestrator_step_attempt (job_id, step, attempt, worker, outcome, started_at)"
          + " values (?,?,?,?,'RUNNING',?)", jobId, step.name(), attempt, worker, now);
      Jdbc.update(connection, "update orchestrator_job set state = case when state = 'QUEUED' then 'RUNNING' else state end,"
          + " current_step = ?, updated_at = ? where id = ?", step.name(), now, jobId);
      return attempt;
    });
  }

  /**
   * Ends attempt {@code attempt} and sets the step's state (and error, when given), unless a newer
   * attempt of the step started meanwhile (the step was taken over by another worker that
   * thought this one dead): then only the attempt row is closed, as SUPERSEDED, and false is
   * returned, so a stale run never overwrites the step's state.
   */
  public boolean finishAttempt(String jobId, StepName step, int attempt, StepState state, String outcome,
      String errorCode, String errorMessage, Instant nextAttemptAt) {
    Instant now = clock.instant();
    String message = Jdbc.truncate(errorMessage);
    return Jdbc.transaction(dataSource, connection -> {
      int current = Jdbc.update(connection, "update orchestrator_step set state = ?, error_code = ?, error_message = ?,"
          + " finished_at = ?, next_attempt_at = ?, eta_seconds = null where job_id = ? and name = ? and attempts = ?",
          state.name(), errorCode, message, state == StepState.PENDING ? null : now, nextAttemptAt, jobId, step.name(),
          attempt);
      Jdbc.update(connection, "update orchestrator_step_attempt set outcome = ?, error_code = ?, error_message = ?,"
          + " finished_at = ? where job_id = ? and step = ? and attempt = ?", current == 1 ? outcome : "SUPERSEDED",
          errorCode, message, now, jobId, step.name(), attempt);
      Jdbc.update(connection, "update orchestrator_job set updated_at = ? where id = ?", now, jobId);
      return current == 1;
    });
  }

  /** Sets the state of a step that did not run (skipped, cancelled). */
  public void setStepState(String jobId, StepName step, StepState state, String message) {
    Instant now = clock.instant();
    Jdbc.transaction(dataSource, connection -> Jdbc.update(connection, "update orchestrator_step set state = ?, error_message = ?,"
        + " finished_at = ? where job_id = ? and name = ?", state.name(), Jdbc.truncate(message), now, jobId, step.name()));
  }

  /** Marks every PENDING or RUNNING step except CLEANUP as {@code state}. */
  public void closeRemainingSteps(String jobId, StepState state, String message) {
    Instant now = clock.instant();
    Jdbc.transaction(dataSource, connection -> Jdbc.update(connection, "update orchestrator_step set state = ?, error_message ="
        + " coalesce(error_message, ?), finished_at = ? where job_id = ? and state in ('PENDING','RUNNING')"
        + " and name <> 'CLEANUP'", state.name(), Jdbc.truncate(message), now, jobId));
  }

  /** Records the step's progress. */
  public void progress(String jobId, StepName step, long bytesDone, long bytesTotal, Long etaSeconds) {
    Jdbc.transaction(dataSource, connection -> {
      try (PreparedStatement statement = connection.prepareStatement(
          "update orchestrator_step set bytes_done = ?, bytes_total = ?, eta_seconds = ? where job_id = ? and name = ?")) {
        statement.setLong(1, bytesDone);
        statement.setLong(2, bytesTotal);
        if (etaSeconds == null) {
          statement.setNull(3, Types.BIGINT);
        } else {
          statement.setLong(3, etaSeconds);
        }
        statement.setString(4, jobId);
        statement.setString(5, step.name());
        return statement.executeUpdate();
      }
    });
  }

  /** Stores the step's checkpoint JSON (null clears it). */
  public void saveCheckpoint(String jobId, StepName step, String json) {
    Jdbc.transaction(dataSource, connection -> Jdbc.update(connection,
        "update orchestrator_step set checkpoint = ? where job_id = ? and name = ?", json, jobId, step.name()));
  }

  /** Stores the step's result JSON. */
  public void saveResult(String jobId, StepName step, String json) {
    Jdbc.transaction(dataSource, connection -> Jdbc.update(connection,
        "update orchestrator_step set result = ? where job_id = ? and name = ?", json, jobId, step.name()));
  }

  /** Sets one of the job's artifact columns (bundle_id, disk_digest, upload_id, result_image_id, result_location). */
  public void setJobColumn(String jobId, String column, String value) {
    if (!List.of("bundle_id", "disk_digest", "upload_id", "result_image_id", "result_location").contains(column)) {
      throw new IllegalArgumentException(column);
    }
    Instant now = clock.instant();
    Jdbc.transaction(dataSource, connection -> Jdbc.update(connection,
        "update orchestrator_job set " + column + " = ?, updated_at = ? where id = ?", value, now, jobId));
  }

  /** Records the job's error (the first one wins). */
  public void setJobError(String jobId, StepName step, String code, String message) {
    Instant now = clock.instant();
    Jdbc.transaction(dataSource, connection -> Jdbc.update(connection, "update orchestrator_job set error_code = coalesce(error_code, ?),"
        + " error_message = case when error_code is null then ? else error_message end,"
        + " error_step = case when error_code is null then ? else error_step end, updated_at = ? where id = ?",
        code, Jdbc.truncate(message), step == null ? null : step.name(), now, jobId));
  }

  /** Asks for the job to be cancelled; returns whether it exists and has not finished. */
  public boolean requestCancel(String jobId, String reason) {
    Instant now = clock.instant();
    return Jdbc.transaction(dataSource, connection -> Jdbc.update(connection, "update orchestrator_job set cancel_requested = true,"
        + " cancel_reason = coalesce(cancel_reason, ?), updated_at = ? where id = ? and state in ('QUEUED','RUNNING')",
        Jdbc.truncate(reason), now, jobId) > 0);
  }

  /** Whether a cancel was asked for. */
  public boolean cancelRequested(String jobId) {
    return Jdbc.transaction(dataSource, connection -> {
      try (PreparedStatement statement = connection.prepareStatement(
          "select cancel_requested from orchestrator_job where id = ?")) {
        statement.setString(1, jobId);
        try (ResultSet row = statement.executeQuery()) {
          return row.next() && row.getBoolean(1);
        }
      }
    });
  }

  /** Ends the job. */
  public void finishJob(String jobId, JobState state) {
    Instant now = clock.instant();
    Jdbc.transaction(dataSource, connection -> Jdbc.update(connection, "update orchestrator_job set state = ?, current_step = null,"
        + " finished_at = ?, updated_at = ? where id = ?", state.name(), now, now, jobId));
  }

  /** The bundle registry's row for a source image version: bundle id, state, owner job. */
  public record BundleRow(String bundleId, String state, String ownerJobId, JobState ownerState) {}

  /**
   * Claims the bundle of a source image version for {@code jobId}, or returns the existing claim:
   * a READY bundle, or a BUILDING one owned by a job that still runs (then the caller waits). A
   * claim whose owner job finished without making the bundle passes to {@code jobId}.
   */
  public BundleRow claimBundle(String sourceAccountId, String imageId, String version, String bundleId, String jobId) {
    Instant now = clock.instant();
    return Jdbc.transaction(dataSource, connection -> {
      Jdbc.update(connection, "insert into orchestrator_bundle (source_account_id, source_image_id, source_version,"
          + " bundle_id, state, owner_job_id, created_at, updated_at) values (?,?,?,?,'BUILDING',?,?,?)"
          + " on conflict do nothing", sourceAccountId, imageId, version, bundleId, jobId, now, now);
      try (PreparedStatement statement = connection.prepareStatement(
          "select b.bundle_id, b.state, b.owner_job_id, j.state from orchestrator_bundle b left join orchestrator_job j"
              + " on j.id = b.owner_job_id where b.source_account_id = ? and b.source_image_id = ?"
              + " and b.source_version = ? for update of b")) {
        statement.setString(1, sourceAccountId);
        statement.setString(2, imageId);
        statement.setString(3, version);
        try (ResultSet row = statement.executeQuery()) {
          row.next();
          String ownerState = row.getString(4);
          BundleRow found = new BundleRow(row.getString(1), row.getString(2), row.getString(3),
              ownerState == null ? null : JobState.valueOf(ownerState));
          boolean orphaned = "BUILDING".equals(found.state()) && !found.ownerJobId().equals(jobId)
              && (found.ownerState() == null || found.ownerState().finished());
          if (orphaned) {
            Jdbc.update(connection, "update orchestrator_bundle set owner_job_id = ?, updated_at = ? where source_account_id = ?"
                + " and source_image_id = ? and source_version = ?", jobId, now, sourceAccountId, imageId, version);
            return new BundleRow(found.bundleId(), found.state(), jobId, JobState.RUNNING);
          }
          return found;
        }
      }
    });
  }

  /** Marks the bundle READY. */
  public void bundleReady(String bundleId) {
    Instant now = clock.instant();
    Jdbc.transaction(dataSource, connection -> Jdbc.update(connection,
        "update orchestrator_bundle set state = 'READY', updated_at = ? where bundle_id = ?", now, bundleId));
  }

  /** Forgets a READY bundle whose manifest vanished from the store. */
  public void forgetBundle(String bundleId) {
    Jdbc.transaction(dataSource, connection -> Jdbc.update(connection, "delete from orchestrator_bundle where bundle_id = ?", bundleId));
  }

  /** Attempt rows of a job: step, attempt, worker, outcome. */
  public record Attempt(StepName step, int attempt, String worker, String outcome, String errorCode) {}

  /** Every attempt row of the job, in step and attempt order. */
  public List<Attempt> attempts(String jobId) {
    return Jdbc.transaction(dataSource, connection -> {
      List<Attempt> attempts = new ArrayList<>();
      try (PreparedStatement statement = connection.prepareStatement(
          "select step, attempt, worker, outcome, error_code from orchestrator_step_attempt where job_id = ?"
              + " order by started_at, attempt")) {
        statement.setString(1, jobId);
        try (ResultSet row = statement.executeQuery()) {
          while (row.next()) {
            attempts.add(new Attempt(StepName.valueOf(row.getString(1)), row.getInt(2), row.getString(3),
                row.getString(4), row.getString(5)));
          }
        }
      }
      return attempts;
    });
  }

  private static Instant instant(ResultSet row, String column) throws SQLException {
    Timestamp timestamp = row.getTimestamp(column);
    return timestamp == null ? null : timestamp.toInstant();
  }
}
