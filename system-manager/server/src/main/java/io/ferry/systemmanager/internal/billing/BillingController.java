package io.ferry.systemmanager.internal.billing;

import io.ferry.systemmanager.internal.tenant.TenantScope;
import io.ferry.systemmanager.internal.web.ApiException;
import java.math.BigDecimal;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The tenant's bill of a month: every job's price, as JSON or as CSV. */
@RestController
public class BillingController {

  /** A month's bill. */
  public record BillView(String month, String currency, int jobCount, BigDecimal total, List<Billing.Job> jobs) {}

  private final Billing billing;
  private final TenantScope scope;

  public BillingController(Billing billing, TenantScope scope) {
    this.billing = billing;
    this.scope = scope;
  }

  @GetMapping("/api/v1/billing")
  public BillView bill(@RequestParam String month) {
    YearMonth parsed = month(month);
    List<Billing.Job> jobs = billing.jobs(scope.tenantId(), parsed);
    return new BillView(parsed.toString(), "USD", jobs.size(), total(jobs), jobs);
  }

  @GetMapping(value = "/api/v1/billing/export", produces = "text/csv")
  public ResponseEntity<String> export(@RequestParam String month) {
    YearMonth parsed = month(month);
    StringBuilder csv = new StringBuilder(
        "migration_id,created_at,finished_at,state,created_by,trigger_id,source_account_id,source_plugin,"
            + "target_account_id,target_plugin,bytes_moved,helper_seconds,estimated_usd,actual_usd\r\n");
    for (Billing.Job job : billing.jobs(scope.tenantId(), parsed)) {
      csv.append(job.migrationId()).append(',').append(job.createdAt()).append(',')
          .append(job.finishedAt() == null ? "" : job.finishedAt()).append(',').append(job.state()).append(',')
          .append(quote(job.createdBy())).append(',').append(job.triggerId() == null ? "" : job.triggerId())
          .append(',').append(job.sourceAccountId()).append(',').append(quote(job.sourcePluginId())).append(',')
          .append(job.targetAccountId()).append(',').append(quote(job.targetPluginId())).append(',')
          .append(job.bytesMoved()).append(',').append(job.helperSeconds()).append(',')
          .append(job.estimatedTotal().toPlainString()).append(',').append(job.actualTotal().toPlainString())
          .append("\r\n");
    }
    return ResponseEntity.ok()
        .contentType(MediaType.parseMediaType("text/csv;charset=UTF-8"))
        .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"ferry-billing-" + parsed + ".csv\"")
        .body(csv.toString());
  }

  static BigDecimal total(List<Billing.Job> jobs) {
    return CostEstimator.money(jobs.stream().map(Billing.Job::actualTotal).reduce(BigDecimal.ZERO, BigDecimal::add));
  }

  static YearMonth month(String month) {
    try {
      return YearMonth.parse(month);
    } catch (DateTimeParseException e) {
      throw ApiException.invalidField("month", "must be a month such as 2026-11");
    }
  }

  /** A CSV field: quoted when it holds a separator, a quote or a line break; leading formula characters neutralised. */
  static String quote(String value) {
    if (value == null) {
      return "";
    }
    String safe = !value.isEmpty() && "=+-@".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
    if (safe.contains(",") || safe.contains("\"") || safe.contains("\n") || safe.contains("\r")) {
      return "\"" + safe.replace("\"", "\"\"") + "\"";
    }
    return safe;
  }
}
