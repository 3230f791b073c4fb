package io.ferry.systemmanager.internal.billing;

import io.ferry.orchestrator.JobState;
import io.ferry.orchestrator.MigrationOrchestrator;
import io.ferry.orchestrator.MigrationStatus;
import io.ferry.orchestrator.Orchestrator;
import io.ferry.orchestrator.StepName;
import io.ferry.systemmanager.internal.account.CloudAccount;
import io.ferry.systemmanager.internal.account.CloudAccountRepository;
import io.ferry.systemmanager.internal.migration.Migration;
import io.ferry.systemmanager.internal.migration.MigrationRepository;
import io.ferry.systemmanager.internal.migration.MigrationState;
import io.ferry.systemmanager.internal.migration.MigrationStep;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Records the actual cost of a migration when it ended: the bytes actually moved (as reported by
 * the completion path; until the orchestrator reports them, the size the estimate was made for),
 * helper VM hours from the durations of the helper's steps, and storage only when the migration
 * succeeded. {@link #migrationFinished(MigrationStatus)} is the hook the orchestrator's completion
 * path calls with the job's final status (bytes the EXPORT step read, the steps' real times); {@link
 * #migrationFinished(UUID, Long)} records from the system manager's own migration row; a periodic
 * sweep ({@link #recordAllFinished}, run with every trigger round) records whatever ended without
 * either. Recording is idempotent: the first record wins. No tenant scope: this runs for the system.
 */
@Service
public class CostRecorder {

  private static final Logger LOG = LoggerFactory.getLogger(CostRecorder.class);

  private final MigrationRepository migrations;
  private final MigrationOrchestrator orchestrator;
  private final CloudAccountRepository accounts;
  private final PriceSheets prices;
  private final MigrationLedger ledger;
  private final JdbcTemplate jdbc;
  private final TransactionTemplate transactions;
  private final Clock clock;

  public CostRecorder(MigrationRepository migrations, MigrationOrchestrator orchestrator,
      CloudAccountRepository accounts, PriceSheets prices,
      MigrationLedger ledger, JdbcTemplate jdbc, TransactionTemplate transactions, Clock clock) {
    this.migrations = migrations;
    this.orchestrator = orchestrator;
    this.accounts = accounts;
    this.prices = prices;
    this.ledger = ledger;
    this.jdbc = jdbc;
    this.transactions = transactions;
    this.clock = clock;
  }

  /**
   * Records the actual cost of a job from the orchestrator's final status: the bytes its EXPORT
   * step read (the estimate's size when it reports none), the helper's hours from the times of
   * its steps, storage when it succeeded.
   *
   * @return whether a cost was recorded now (false: not ended, no ledger row, or recorded before)
   */
  public boolean migrationFinished(MigrationStatus status) {
    if (!status.state().finished()) {
      return false;
    }
    MigrationStatus.StepStatus export = status.step(StepName.EXPORT);
    long helperSeconds = 0;
    for (MigrationStatus.StepStatus step : status.steps()) {
      if (CostEstimator.HELPER_STEPS.contains(step.name()) && step.startedAt() != null && step.finishedAt() != null) {
        helperSeconds += Math.max(0, Duration.between(step.startedAt(), step.finishedAt()).toSeconds());
      }
    }
    boolean succeeded = status.state() == JobState.SUCCEEDED;
    return record(UUID.fromString(status.jobId()), export.bytesDone() > 0 ? export.bytesDone() : null, helperSeconds,
        succeeded || export.startedAt() != null, succeeded,
        Objects.requireNonNullElse(status.finishedAt(), clock.instant()));
  }

  /**
   * Records the actual cost of a migration that ended, from the system manager's migration row.
   *
   * @param bytesMoved the bytes that left the source, or null when not known (the estimate's size is used)
   * @return whether a cost was recorded now (false: not ended, no ledger row, or recorded before)
   */
  public boolean migrationFinished(UUID migrationId, Long bytesMoved) {
    Migration migration = transactions.execute(status -> migrations.findById(migrationId).orElse(null));
    if (migration == null || !migration.state().finished()) {
      return false;
    }
    boolean succeeded = migration.state() == MigrationState.SUCCEEDED;
    return record(migrationId, bytesMoved, helperSeconds(migration), succeeded || started(migration, StepName.EXPORT),
        succeeded, Objects.requireNonNullElse(migration.finishedAt(), clock.instant()));
  }

  private boolean record(UUID migrationId, Long bytesMoved, long stepHelperSeconds, boolean dataLeft,
      boolean imageMade, Instant recordedAt) {
    List<Map<String, Object>> rows = jdbc.queryForList(
        "select bytes_to_move, helper_mode from migration_ledger where migration_id = ? and actual_recorded_at is null",
        migrationId);
    if (rows.isEmpty()) {
      return false;
    }
    long bytes = bytesMoved != null ? bytesMoved : ((Number) rows.get(0).get("bytes_to_move")).longValue();
    boolean helperMode = (Boolean) rows.get(0).get("helper_mode");
    Migration migration = transactions.execute(status -> migrations.findById(migrationId).orElseThrow());
    CloudAccount source = accounts.findById(migration.sourceAccountId()).orElseThrow();
    CloudAccount target = accounts.findById(migration.targetAccountId()).orElseThrow();
    long helperSeconds = helperMode ? stepHelperSeconds : 0;
    BigDecimal hours = BigDecimal.valueOf(helperSeconds).divide(BigDecimal.valueOf(3600), 6, RoundingMode.HALF_UP);
    CostEstimate cost = CostEstimator.price(source.pluginId(), target.pluginId(), prices.prices(source).sheet(),
        prices.prices(target).sheet(), dataLeft ? bytes : 0, helperMode, hours, dataLeft, imageMade);
    boolean recorded = ledger.actual(migrationId, dataLeft ? bytes : 0, helperSeconds, cost, recordedAt);
    if (recorded) {
      LOG.info("migration {} cost {} USD", migrationId, cost.total());
    }
    return recorded;
  }

  /**
   * Records the cost of every migration that ended without one: jobs the orchestrator's workflow
   * finished (from its status, when the workflow runs here), then migration rows that ended.
   *
   * @return how many were recorded
   */
  public int recordAllFinished() {
    int recorded = 0;
    if (orchestrator instanceof Orchestrator workflow) {
      List<String> jobs = jdbc.queryForList(
          "select j.id from orchestrator_job j join migration_ledger l on l.migration_id::text = j.id"
              + " where l.actual_recorded_at is null and j.state in ('SUCCEEDED', 'FAILED', 'CANCELLED') limit 500",
          String.class);
      for (String job : jobs) {
        try {
          Optional<MigrationStatus> status = workflow.status(job);
          if (status.isPresent() && migrationFinished(status.get())) {
            recorded++;
          }
        } catch (RuntimeException e) {
          LOG.warn("cost of job {} not recorded: {}", job, e.toString());
        }
      }
    }
    List<UUID> ended = jdbc.queryForList(
        "select m.id from migration m join migration_ledger l on l.migration_id = m.id"
            + " where l.actual_recorded_at is null and m.state in ('SUCCEEDED', 'FAILED', 'CANCELLED', 'REJECTED')"
            + " order by m.finished_at limit 500",
        UUID.class);
    for (UUID id : ended) {
      try {
        if (migrationFinished(id, null)) {
          recorded++;
        }
      } catch (RuntimeException e) {
        LOG.warn("cost of migration {} not recorded: {}", id, e.toString());
      }
    }
    return recorded;
  }

  private static long helperSeconds(Migration migration) {
    long seconds = 0;
    for (MigrationStep step : migration.steps()) {
      if (CostEstimator.HELPER_STEPS.contains(step.name()) && step.startedAt() != null && step.finishedAt() != null) {
        seconds += Math.max(0, Duration.between(step.startedAt(), step.finishedAt()).toSeconds());
      }
    }
    return seconds;
  }

  private static boolean started(Migration migration, StepName name) {
    return migration.steps().stream().anyMatch(step -> step.name() == name && step.startedAt() != null);
  }
}
