package io.ferry.systemmanager.internal.billing;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The {@code migration_ledger} row of each migration: its estimate, its origin (the trigger and
 * its owner), the approval it waited for, and, once it ended, its actual cost.
 */
@Repository
public class MigrationLedger {

  private final JdbcTemplate jdbc;

  public MigrationLedger(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** Records a new migration's estimate and origin (in the transaction that created it). */
  public void created(UUID migrationId, UUID tenantId, CostEstimate estimate, UUID triggerId, String triggerOwner,
      String approvalPolicy) {
    jdbc.update(
        "insert into migration_ledger (migration_id, tenant_id, source_plugin_id, target_plugin_id, bytes_to_move,"
            + " helper_mode, estimated_egress, estimated_helper, estimated_image_storage, estimated_bundle_storage,"
            + " estimated_total, trigger_id, trigger_owner, approval_policy)"
            + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        migrationId, tenantId, estimate.sourcePluginId(), estimate.targetPluginId(), estimate.bytesToMove(),
        estimate.helperMode(), estimate.egress(), estimate.helper(), estimate.imageStoragePerMonth(),
        estimate.bundleStoragePerMonth(), estimate.total(), triggerId, triggerOwner, approvalPolicy);
  }

  /** Records who approved or rejected a migration that waited. */
  public void decided(UUID migrationId, String decidedBy, Instant at) {
    jdbc.update("update migration_ledger set decided_by = ?, decided_at = ? where migration_id = ?", decidedBy,
        Timestamp.from(at), migrationId);
  }

  /**
   * Records the actual cost once.
   *
   * @return false when it was recorded before (or the migration has no ledger row)
   */
  boolean actual(UUID migrationId, long bytesMoved, long helperSeconds, CostEstimate cost, Instant recordedAt) {
    return jdbc.update(
        "update migration_ledger set bytes_moved = ?, helper_seconds = ?, actual_total = ?, actual_recorded_at = ?"
            + " where migration_id = ? and actual_recorded_at is null",
        bytesMoved, helperSeconds, cost.total(), Timestamp.from(recordedAt), migrationId) == 1;
  }
}
