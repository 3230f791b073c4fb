package io.ferry.systemmanager.internal.report;

import io.ferry.systemmanager.internal.billing.Billing;
import io.ferry.systemmanager.internal.tenant.TenantScope;
import io.ferry.systemmanager.internal.web.ApiException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Reports for the dashboard's charts, over migrations created in {@code [from, to)} (default: the
 * last 30 days): migrations over time, success rate, bytes moved, time per step, spend against
 * budget, per cloud. Bytes and spend are the actual figures recorded when migrations ended.
 */
@RestController
@RequestMapping("/api/v1/reports")
public class ReportController {

  /** Migrations created in one period, by how they stand. */
  public record PeriodView(Instant period, long total, long succeeded, long failed, long cancelled, long rejected,
      long unfinished) {}

  /**
   * The whole range.
   *
   * @param successRate succeeded over succeeded and failed, null when none of either
   */
  public record SummaryView(Instant from, Instant to, long total, long succeeded, long failed, long cancelled,
      long rejected, Double successRate, long bytesMoved, BigDecimal spend) {}

  /** One step's runs (steps that started and finished). */
  public record StepView(String step, long runs, double averageSeconds, double totalSeconds) {}

  /** Per plugin, as source or as target. */
  public record CloudView(String role, String pluginId, long migrations, long succeeded, long bytesMoved,
      BigDecimal spend) {}

  /**
   * A month's spending against the budget.
   *
   * @param budget the smallest monthly budget of the tenant's LIMIT policies, null without one
   * @param spent actual costs recorded in the month
   * @param committed spent plus the estimates of migrations not yet ended
   * @param remaining budget minus committed, null without a budget
   */
  public record BudgetView(String month, BigDecimal budget, BigDecimal spent, BigDecimal committed,
      BigDecimal remaining) {}

  private final JdbcTemplate jdbc;
  private final Billing billing;
  private final TenantScope scope;
  private final Clock clock;

  public ReportController(JdbcTemplate jdbc, Billing billing, TenantScope scope, Clock clock) {
    this.jdbc = jdbc;
    this.billing = billing;
    this.scope = scope;
    this.clock = clock;
  }

  @GetMapping("/migrations")
  public List<PeriodView> migrations(
      @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant from,
      @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant to,
      @RequestParam(defaultValue = "day") String bucket) {
    String unit = bucket.toLowerCase(Locale.ROOT);
    if (!List.of("hour", "day", "week", "month").contains(unit)) {
      throw ApiException.invalidField("bucket", "must be hour, day, week or month");
    }
    Range range = range(from, to);
    return jdbc.query(
        "select date_trunc('" + unit + "', created_at at time zone 'UTC') as period, count(*),"
            + " count(*) filter (where state = 'SUCCEEDED'), count(*) filter (where state = 'FAILED'),"
            + " count(*) filter (where state = 'CANCELLED'), count(*) filter (where state = 'REJECTED'),"
            + " count(*) filter (where state not in ('SUCCEEDED', 'FAILED', 'CANCELLED', 'REJECTED'))"
            + " from migration where tenant_id = ? and created_at >= ? and created_at < ?"
            + " group by period order by period",
        (row, index) -> new PeriodView(row.getTimestamp(1).toLocalDateTime().toInstant(ZoneOffset.UTC),
            row.getLong(2), row.getLong(3), row.getLong(4), row.getLong(5), row.getLong(6), row.getLong(7)),
        scope.tenantId(), range.from(), range.to());
  }

  @GetMapping("/summary")
  public SummaryView summary(
      @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant from,
      @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant to) {
    Range range = range(from, to);
    return jdbc.queryForObject(
        "select count(*), count(*) filter (where m.state = 'SUCCEEDED'), count(*) filter (where m.state = 'FAILED'),"
            + " count(*) filter (where m.state = 'CANCELLED'), count(*) filter (where m.state = 'REJECTED'),"
            + " coalesce(sum(l.bytes_moved), 0), coalesce(sum(l.actual_total), 0)"
            + " from migration m left join migration_ledger l on l.migration_id = m.id"
            + " where m.tenant_id = ? and m.created_at >= ? and m.created_at < ?",
        (row, index) -> {
          long succeeded = row.getLong(2);
          long failed = row.getLong(3);
          Double rate = succeeded + failed == 0 ? null : (double) succeeded / (succeeded + failed);
          return new SummaryView(range.from().toInstant(), range.to().toInstant(), row.getLong(1), succeeded, failed,
              row.getLong(4), row.getLong(5), rate, row.getLong(6), row.getBigDecimal(7).setScale(4, RoundingMode.HALF_UP));
        },
        scope.tenantId(), range.from(), range.to());
  }

  @GetMapping("/steps")
  public List<StepView> steps(
      @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant from,
      @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant to) {
    Range range = range(from, to);
    return jdbc.query(
        "select s.name, count(*), avg(extract(epoch from s.finished_at - s.started_at)),"
            + " sum(extract(epoch from s.finished_at - s.started_at))"
            + " from migration_step s join migration m on m.id = s.migration_id"
            + " where m.tenant_id = ? and m.created_at >= ? and m.created_at < ?"
            + " and s.started_at is not null and s.finished_at is not null"
            + " group by s.name, s.position order by s.position",
        (row, index) -> new StepView(row.getString(1), row.getLong(2), row.getDouble(3), row.getDouble(4)),
        scope.tenantId(), range.from(), range.to());
  }

  @GetMapping("/clouds")
  public List<CloudView> clouds(
      @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant from,
      @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant to) {
    Range range = range(from, to);
    String perRole = " count(*), count(*) filter (where m.state = 'SUCCEEDED'), coalesce(sum(l.bytes_moved), 0),"
        + " coalesce(sum(l.actual_total), 0)"
        + " from migration m join cloud_account a on a.id = m.%s_account_id"
        + " left join migration_ledger l on l.migration_id = m.id"
        + " where m.tenant_id = ? and m.created_at >= ? and m.created_at < ? group by a.plugin_id";
    return jdbc.query(
        "select * from (select 'source' as role, a.plugin_id," + perRole.formatted("source")
            + " union all select 'target', a.plugin_id," + perRole.formatted("target") + ") per_cloud"
            + " order by 1, 2",
        (row, index) -> new CloudView(row.getString(1), row.getString(2), row.getLong(3), row.getLong(4),
            row.getLong(5), row.getBigDecimal(6).setScale(4, RoundingMode.HALF_UP)),
        scope.tenantId(), range.from(), range.to(), scope.tenantId(), range.from(), range.to());
  }

  @GetMapping("/budget")
  public BudgetView budget(@RequestParam(required = false) String month) {
    YearMonth parsed;
    try {
      parsed = month == null ? YearMonth.from(clock.instant().atZone(ZoneOffset.UTC)) : YearMonth.parse(month);
    } catch (DateTimeParseException e) {
      throw ApiException.invalidField("month", "must be a month such as 2026-11");
    }
    UUID tenantId = scope.tenantId();
    BigDecimal budget = jdbc.queryForObject(
        "select min(monthly_budget) from policy where tenant_id = ? and kind = 'LIMIT'", BigDecimal.class, tenantId);
    BigDecimal spent = billing.jobs(tenantId, parsed).stream().map(Billing.Job::actualTotal)
        .reduce(BigDecimal.ZERO, BigDecimal::add).setScale(4, RoundingMode.HALF_UP);
    BigDecimal committed = billing.committed(tenantId, parsed);
    return new BudgetView(parsed.toString(), budget, spent, committed,
        budget == null ? null : budget.subtract(committed).setScale(4, RoundingMode.HALF_UP));
  }

  private record Range(Timestamp from, Timestamp to) {}

  private Range range(Instant from, Instant to) {
    Instant end = to != null ? to : clock.instant();
    Instant start = from != null ? from : end.minus(Duration.ofDays(30));
    if (!start.isBefore(end)) {
      throw ApiException.invalidField("from", "must be before to");
    }
    return new Range(Timestamp.from(start), Timestamp.from(end));
  }
}
