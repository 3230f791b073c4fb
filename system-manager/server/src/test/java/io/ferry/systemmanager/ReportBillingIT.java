package io.ferry.systemmanager;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.systemmanager.internal.billing.CostRecorder;
import io.ferry.systemmanager.internal.tenant.Role;
import io.ferry.systemmanager.internal.tenant.Tenant;
import io.ferry.systemmanager.support.Api;
import io.ferry.systemmanager.support.ApiIntegrationTest;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Billing and report figures against sums computed directly from the job rows with SQL: the
 * migrations end (as the orchestrator would record them) in different states and months, their
 * actual costs are recorded, and every figure the API shows equals its SQL counterpart. Another
 * tenant's jobs never count.
 */
class ReportBillingIT extends ApiIntegrationTest {

  private static final Instant NOVEMBER_10 = Instant.parse("2026-11-10T12:00:00Z");

  @Autowired CostRecorder costs;

  @Test
  void billingAndReportsEqualTheSumsOfTheJobRows() {
    Tenant acme = tenant("acme");
    Api admin = as(user(acme, "alice", Role.ADMIN));
    UUID source = createAccount(admin, "src", "password-src");
    UUID target = createAccount(admin, "dst", "password-dst");
    prices(admin, source, "0.09", "0.5", "0.05", "0.023");
    prices(admin, target, "0.12", "0.10", "0.04", "0.02");
    assertThat(admin.post("/api/v1/policies", Map.of("name", "budget", "kind", "LIMIT", "monthlyBudget", 25))
        .status()).isEqualTo(201);
    UUID succeeded = createMigration(admin, source, target);
    UUID failed = createMigration(admin, source, target);
    UUID cancelled = createMigration(admin, source, target);
    UUID october = createMigration(admin, source, target);
    UUID queued = createMigration(admin, source, target);
    UUID backwards = createMigration(admin, target, source);

    Api other = as(user(tenant("other"), "olga", Role.ADMIN));
    UUID otherSource = createAccount(other, "o-src", "password-o");
    prices(other, otherSource, "1", "1", "1", "1");
    UUID otherMigration = createMigration(other, otherSource, otherSource);

    finish(succeeded, "SUCCEEDED", NOVEMBER_10, true);
    finish(failed, "FAILED", NOVEMBER_10.plus(Duration.ofDays(2)), true);
    finish(cancelled, "CANCELLED", NOVEMBER_10.plus(Duration.ofDays(3)), false);
    finish(october, "SUCCEEDED", Instant.parse("2026-10-31T23:59:00Z"), true);
    finish(backwards, "SUCCEEDED", NOVEMBER_10.plus(Duration.ofDays(4)), true);
    finish(otherMigration, "SUCCEEDED", NOVEMBER_10, true);
    assertThat(costs.recordAllFinished()).isEqualTo(6);
    assertThat(costs.recordAllFinished()).isZero();
    assertThat(jdbc.queryForObject("select helper_seconds from migration_ledger where migration_id = ?", Long.class,
        succeeded)).isEqualTo(4 * 600);
    assertThat(jdbc.queryForObject("select actual_total from migration_ledger where migration_id = ?",
        BigDecimal.class, cancelled)).isEqualByComparingTo("0");
    assertThat(jdbc.queryForObject("select actual_recorded_at from migration_ledger where migration_id = ?",
        Timestamp.class, queued)).isNull();

    // Billing: November's jobs of acme.
    String inNovember = " from migration_ledger where tenant_id = '" + acme.id() + "'"
        + " and actual_recorded_at >= '2026-11-01T00:00:00Z' and actual_recorded_at < '2026-12-01T00:00:00Z'";
    BigDecimal novemberTotal = jdbc.queryForObject("select sum(actual_total)" + inNovember, BigDecimal.class);
    Map<String, BigDecimal> perJob = new HashMap<>();
    jdbc.query("select migration_id, actual_total" + inNovember,
        row -> { perJob.put(row.getString(1), row.getBigDecimal(2)); });
    assertThat(perJob).hasSize(4).doesNotContainKeys(october.toString(), queued.toString(), otherMigration.toString());
    assertThat(novemberTotal.signum()).isPositive();

    JsonNode bill = admin.get("/api/v1/billing?month=2026-11").json();
    assertThat(bill.get("jobCount").asInt()).isEqualTo(4);
    assertThat(bill.get("total").decimalValue()).isEqualByComparingTo(novemberTotal);
    for (JsonNode job : bill.get("jobs")) {
      assertThat(job.get("actualTotal").decimalValue())
          .isEqualByComparingTo(perJob.get(job.get("migrationId").asText()));
    }
    assertThat(admin.get("/api/v1/billing?month=2026-10").json().get("total").decimalValue())
        .isEqualByComparingTo(jdbc.queryForObject("select actual_total from migration_ledger where migration_id = ?",
            BigDecimal.class, october));
    assertThat(admin.get("/api/v1/billing?month=November").code()).isEqualTo("VALIDATION_FAILED");

    Api.Response csv = admin.send(admin.request("GET", "/api/v1/billing/export?month=2026-11").header("Accept", "text/csv"));
    assertThat(csv.status()).isEqualTo(200);
    assertThat(csv.contentType()).startsWith("text/csv");
    List<String> lines = csv.body().lines().toList();
    assertThat(lines.get(0)).startsWith("migration_id,");
    assertThat(lines).hasSize(5);
    BigDecimal csvTotal = lines.stream().skip(1)
        .map(line -> new BigDecimal(line.substring(line.lastIndexOf(',') + 1)))
        .reduce(BigDecimal.ZERO, BigDecimal::add);
    assertThat(csvTotal).isEqualByComparingTo(novemberTotal);

    // Reports over every acme migration (all created just now).
    String range = "from=" + Instant.now().minus(Duration.ofDays(1)) + "&to=" + Instant.now().plus(Duration.ofDays(1));
    String ofAcme = " from migration m left join migration_ledger l on l.migration_id = m.id where m.tenant_id = '"
        + acme.id() + "'";
    JsonNode summary = admin.get("/api/v1/reports/summary?" + range).json();
    assertThat(summary.get("total").asLong()).isEqualTo(jdbc.queryForObject("select count(*)" + ofAcme, Long.class));
    assertThat(summary.get("total").asLong()).isEqualTo(6);
    long succeededRows = jdbc.queryForObject("select count(*)" + ofAcme + " and m.state = 'SUCCEEDED'", Long.class);
    long failedRows = jdbc.queryForObject("select count(*)" + ofAcme + " and m.state = 'FAILED'", Long.class);
    assertThat(summary.get("succeeded").asLong()).isEqualTo(succeededRows).isEqualTo(3);
    assertThat(summary.get("failed").asLong()).isEqualTo(failedRows).isEqualTo(1);
    assertThat(summary.get("successRate").asDouble()).isEqualTo((double) succeededRows / (succeededRows + failedRows));
    assertThat(summary.get("bytesMoved").asLong())
        .isEqualTo(jdbc.queryForObject("select coalesce(sum(l.bytes_moved), 0)" + ofAcme, Long.class));
    assertThat(summary.get("bytesMoved").asLong()).isEqualTo(4 * (2L << 30));
    assertThat(summary.get("spend").decimalValue())
        .isEqualByComparingTo(jdbc.queryForObject("select sum(l.actual_total)" + ofAcme, BigDecimal.class));

    JsonNode overTime = admin.get("/api/v1/reports/migrations?bucket=day&" + range).json();
    long counted = 0;
    for (JsonNode period : overTime) {
      counted += period.get("total").asLong();
    }
    assertThat(counted).isEqualTo(6);

    Map<String, Double> stepAverages = new HashMap<>();
    jdbc.query("select s.name, avg(extract(epoch from s.finished_at - s.started_at)) from migration_step s"
        + " join migration m on m.id = s.migration_id where m.tenant_id = ? and s.finished_at is not null"
        + " group by s.name", row -> { stepAverages.put(row.getString(1), row.getDouble(2)); }, acme.id());
    JsonNode steps = admin.get("/api/v1/reports/steps?" + range).json();
    assertThat(steps.size()).isEqualTo(stepAverages.size()).isPositive();
    for (JsonNode step : steps) {
      assertThat(step.get("averageSeconds").asDouble()).isEqualTo(stepAverages.get(step.get("step").asText()));
    }

    JsonNode clouds = admin.get("/api/v1/reports/clouds?" + range).json();
    for (JsonNode cloud : clouds) {
      String column = cloud.get("role").asText() + "_account_id";
      String ofPlugin = " from migration m join cloud_account a on a.id = m." + column
          + " left join migration_ledger l on l.migration_id = m.id where m.tenant_id = ? and a.plugin_id = ?";
      assertThat(cloud.get("migrations").asLong()).isEqualTo(
          jdbc.queryForObject("select count(*)" + ofPlugin, Long.class, acme.id(), cloud.get("pluginId").asText()));
      assertThat(cloud.get("spend").decimalValue()).isEqualByComparingTo(jdbc.queryForObject(
          "select coalesce(sum(l.actual_total), 0)" + ofPlugin, BigDecimal.class, acme.id(),
          cloud.get("pluginId").asText()));
    }
    assertThat(clouds.findValuesAsText("role")).containsExactly("source", "target");

    JsonNode budget = admin.get("/api/v1/reports/budget?month=2026-11").json();
    assertThat(budget.get("budget").decimalValue()).isEqualByComparingTo("25");
    assertThat(budget.get("spent").decimalValue()).isEqualByComparingTo(novemberTotal);
    BigDecimal pending = jdbc.queryForObject("select estimated_total from migration_ledger where migration_id = ?",
        BigDecimal.class, queued);
    assertThat(budget.get("committed").decimalValue()).isEqualByComparingTo(novemberTotal.add(pending));

    // The other tenant's figures stay its own.
    assertThat(other.get("/api/v1/reports/summary?" + range).json().get("total").asLong()).isEqualTo(1);
    assertThat(other.get("/api/v1/billing?month=2026-11").json().get("total").decimalValue())
        .isEqualByComparingTo(jdbc.queryForObject("select actual_total from migration_ledger where migration_id = ?",
            BigDecimal.class, otherMigration));
    assertThat(as(user(acme, "oscar", Role.OPERATOR)).get("/api/v1/billing?month=2026-11").status()).isEqualTo(403);
  }

  /** Ends a migration as the orchestrator would: steps with times, state, end time. */
  private void finish(UUID migration, String state, Instant finishedAt, boolean exported) {
    Instant start = finishedAt.minus(Duration.ofHours(2));
    if (exported) {
      for (int position = 0; position < 11; position++) {
        Instant stepStart = start.plus(Duration.ofMinutes(10L * position));
        jdbc.update("update migration_step set state = 'DONE', started_at = ?, finished_at = ?"
                + " where migration_id = ? and position = ?",
            Timestamp.from(stepStart), Timestamp.from(stepStart.plus(Duration.ofMinutes(10))), migration, position);
      }
    }
    jdbc.update("update migration set state = ?, finished_at = ?, progress_percent = 100 where id = ?", state,
        Timestamp.from(finishedAt), migration);
  }

  private static void prices(Api admin, UUID account, String egress, String helper, String image, String bundle) {
    Api.Response put = admin.put("/api/v1/cloud-accounts/" + account + "/prices", Map.of("egressPerGb", egress,
        "helperVmPerHour", helper, "imageStoragePerGbMonth", image, "objectStoragePerGbMonth", bundle));
    assertThat(put.status()).as(put.toString()).isEqualTo(200);
  }
}
