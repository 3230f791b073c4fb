package io.ferry.systemmanager.internal.billing;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * A tenant's bill: the actual cost of each migration that ended in a month (UTC), and what a
 * month's budget has used: the actual costs of the month plus the estimates of migrations that
 * have not ended yet (queued, running, or waiting for approval), which are committed spending.
 * Callers pass the tenant from the tenant scope.
 */
@Service
public class Billing {

  /** One job on the bill. */
  public record Job(UUID migrationId, UUID sourceAccountId, UUID targetAccountId, String sourcePluginId,
      String targetPluginId, String state, String createdBy, UUID triggerId, Instant createdAt, Instant finishedAt,
      long bytesMoved, long helperSeconds, BigDecimal estimatedTotal, BigDecimal actualTotal) {}

  private final JdbcTemplate jdbc;

  public Billing(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** The jobs whose actual cost was recorded in the month, oldest first. */
  public List<Job> jobs(UUID tenantId, YearMonth month) {
    return jdbc.query(
        "select m.id, m.source_account_id, m.target_account_id, l.source_plugin_id, l.target_plugin_id, m.state,"
            + " m.created_by, l.trigger_id, m.created_at, m.finished_at, l.bytes_moved, l.helper_seconds,"
            + " l.estimated_total, l.actual_total"
            + " from migration_ledger l join migration m on m.id = l.migration_id"
            + " where l.tenant_id = ? and l.actual_recorded_at >= ? and l.actual_recorded_at < ?"
            + " order by l.actual_recorded_at, m.id",
        (row, index) -> new Job(row.getObject(1, UUID.class), row.getObject(2, UUID.class),
            row.getObject(3, UUID.class), row.getString(4), row.getString(5), row.getString(6), row.getString(7),
            row.getObject(8, UUID.class), row.getTimestamp(9).toInstant(),
            row.getTimestamp(10) == null ? null : row.getTimestamp(10).toInstant(), row.getLong(11), row.getLong(12),
            row.getBigDecimal(13), row.getBigDecimal(14)),
        tenantId, start(month), start(month.plusMonths(1)));
  }

  /** What the month's budget has used: recorded costs of the month and estimates of unfinished migrations. */
  public BigDecimal committed(UUID tenantId, YearMonth month) {
    BigDecimal actual = jdbc.queryForObject(
        "select coalesce(sum(actual_total), 0) from migration_ledger"
            + " where tenant_id = ? and actual_recorded_at >= ? and actual_recorded_at < ?",
        BigDecimal.class, tenantId, start(month), start(month.plusMonths(1)));
    BigDecimal pending = jdbc.queryForObject(
        "select coalesce(sum(l.estimated_total), 0) from migration_ledger l join migration m on m.id = l.migration_id"
            + " where l.tenant_id = ? and l.actual_recorded_at is null"
            + " and m.state in ('QUEUED', 'RUNNING', 'CANCELLING', 'AWAITING_APPROVAL')",
        BigDecimal.class, tenantId);
    return CostEstimator.money(actual.add(pending));
  }

  static Timestamp start(YearMonth month) {
    return Timestamp.from(month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC));
  }
}
