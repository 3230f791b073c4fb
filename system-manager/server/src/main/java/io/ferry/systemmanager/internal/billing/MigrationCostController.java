package io.ferry.systemmanager.internal.billing;

import io.ferry.systemmanager.internal.migration.Migration;
import io.ferry.systemmanager.internal.tenant.TenantScope;
import io.ferry.systemmanager.internal.web.ApiException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** A migration's estimate, actual cost, origin (trigger and owner) and approval. */
@RestController
public class MigrationCostController {

  /**
   * The ledger of one migration, US dollars.
   *
   * @param actualTotal null until the migration ended and its cost was recorded
   */
  public record CostView(UUID migrationId, String sourcePluginId, String targetPluginId, long bytesToMove,
      boolean helperMode, BigDecimal estimatedEgress, BigDecimal estimatedHelper, BigDecimal estimatedImageStorage,
      BigDecimal estimatedBundleStorage, BigDecimal estimatedTotal, Long bytesMoved, Long helperSeconds,
      BigDecimal actualTotal, Instant actualRecordedAt, UUID triggerId, String triggerOwner, String approvalPolicy,
      String decidedBy, Instant decidedAt) {}

  private final JdbcTemplate jdbc;
  private final TenantScope scope;
  private final TransactionTemplate transactions;

  public MigrationCostController(JdbcTemplate jdbc, TenantScope scope, TransactionTemplate transactions) {
    this.jdbc = jdbc;
    this.scope = scope;
    this.transactions = transactions;
  }

  @GetMapping("/api/v1/migrations/{id}/cost")
  public CostView cost(@PathVariable UUID id) {
    Migration migration = transactions.execute(status -> scope.require(Migration.class, id, "migration"));
    List<CostView> found = jdbc.query(
        "select source_plugin_id, target_plugin_id, bytes_to_move, helper_mode, estimated_egress, estimated_helper,"
            + " estimated_image_storage, estimated_bundle_storage, estimated_total, bytes_moved, helper_seconds,"
            + " actual_total, actual_recorded_at, trigger_id, trigger_owner, approval_policy, decided_by, decided_at"
            + " from migration_ledger where migration_id = ?",
        (row, index) -> new CostView(migration.id(), row.getString(1), row.getString(2), row.getLong(3),
            row.getBoolean(4), row.getBigDecimal(5), row.getBigDecimal(6), row.getBigDecimal(7), row.getBigDecimal(8),
            row.getBigDecimal(9), row.getObject(10, Long.class), row.getObject(11, Long.class), row.getBigDecimal(12),
            row.getTimestamp(13) == null ? null : row.getTimestamp(13).toInstant(), row.getObject(14, UUID.class),
            row.getString(15), row.getString(16), row.getString(17),
            row.getTimestamp(18) == null ? null : row.getTimestamp(18).toInstant()),
        migration.id());
    return found.stream().findFirst().orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "NOT_FOUND",
        "migration " + id + " has no cost record (it was created before costs were recorded)", List.of()));
  }
}
