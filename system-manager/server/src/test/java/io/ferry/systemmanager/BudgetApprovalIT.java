package io.ferry.systemmanager;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.orchestrator.JobState;
import io.ferry.orchestrator.MigrationOrchestrator;
import io.ferry.orchestrator.MigrationStatus;
import io.ferry.orchestrator.MigrationRequest;
import io.ferry.orchestrator.RecordingMigrationOrchestrator;
import io.ferry.orchestrator.StepName;
import io.ferry.systemmanager.internal.billing.CostRecorder;
import io.ferry.systemmanager.internal.tenant.Role;
import io.ferry.systemmanager.internal.tenant.Tenant;
import io.ferry.systemmanager.support.Api;
import io.ferry.systemmanager.support.ApiIntegrationTest;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The month's budget and approvals through the API: estimates from overridden price sheets, the
 * request that would pass the budget refused with the budget, spent and estimate; a migration
 * that needs approval waits, is handed to the orchestrator only when approved, or ends rejected.
 */
class BudgetApprovalIT extends ApiIntegrationTest {

  private static final BigDecimal GB = BigDecimal.valueOf(1_000_000_000L);
  /** The fake cloud's images: 2 GiB. */
  private static final BigDecimal IMAGE_GB =
      BigDecimal.valueOf(2L << 30).divide(GB, 9, RoundingMode.HALF_UP);

  @Autowired MigrationOrchestrator orchestrator;
  @Autowired CostRecorder costs;

  private Api admin;
  private Api operator;
  private UUID source;
  private UUID target;

  @BeforeEach
  void accountsWithPrices() {
    Tenant tenant = tenant("acme");
    admin = as(user(tenant, "alice", Role.ADMIN));
    operator = as(user(tenant, "oscar", Role.OPERATOR));
    source = createAccount(admin, "source", "password-source");
    target = createAccount(admin, "target", "password-target");
    assertThat(admin.put("/api/v1/cloud-accounts/" + source + "/prices", Map.of("egressPerGb", "0.09",
        "helperVmPerHour", "0.5", "imageStoragePerGbMonth", "0.05", "objectStoragePerGbMonth", "0.023")).status())
        .isEqualTo(200);
    Api.Response targetPrices = admin.put("/api/v1/cloud-accounts/" + target + "/prices", Map.of("egressPerGb", "0.12",
        "helperVmPerHour", "0.10", "imageStoragePerGbMonth", "0.04", "objectStoragePerGbMonth", "0.02"));
    assertThat(targetPrices.json().get("source").asText()).isEqualTo("override");
    assertThat(operator.put("/api/v1/cloud-accounts/" + target + "/prices", Map.of("egressPerGb", "0",
        "helperVmPerHour", "0", "imageStoragePerGbMonth", "0", "objectStoragePerGbMonth", "0")).status())
        .isEqualTo(403);
  }

  @Test
  void estimateIsEgressHelperHoursImageAndBundleStorageFromThePriceSheets() {
    JsonNode estimate = estimate();
    // The fake cloud has no direct upload: helper mode, one hour for 2 GiB.
    assertThat(estimate.get("helperMode").asBoolean()).isTrue();
    assertThat(estimate.get("helperHours").asLong()).isEqualTo(1);
    assertThat(estimate.get("bytesToMove").asLong()).isEqualTo(2L << 30);
    assertThat(money(estimate, "egress")).isEqualByComparingTo(round(new BigDecimal("0.09").multiply(IMAGE_GB)));
    assertThat(money(estimate, "helper")).isEqualByComparingTo("0.1");
    assertThat(money(estimate, "imageStoragePerMonth")).isEqualByComparingTo(round(new BigDecimal("0.04").multiply(IMAGE_GB)));
    assertThat(money(estimate, "bundleStoragePerMonth")).isEqualByComparingTo(round(new BigDecimal("0.023").multiply(IMAGE_GB)));
    assertThat(money(estimate, "total")).isEqualByComparingTo(money(estimate, "egress").add(money(estimate, "helper"))
        .add(money(estimate, "imageStoragePerMonth")).add(money(estimate, "bundleStoragePerMonth")));

    assertThat(admin.delete("/api/v1/cloud-accounts/" + target + "/prices").status()).isEqualTo(204);
    assertThat(admin.get("/api/v1/cloud-accounts/" + target + "/prices").json().get("source").asText()).isEqualTo("plugin");
    assertThat(money(estimate(), "helper")).isEqualByComparingTo("0");
  }

  @Test
  void theMigrationThatWouldExceedTheBudgetIsRefusedWithTheNumbers() {
    BigDecimal each = money(estimate(), "total");
    // Room for two estimates and a bit, not for three.
    BigDecimal budget = each.multiply(BigDecimal.valueOf(2)).add(new BigDecimal("0.01"));
    assertThat(admin.post("/api/v1/policies", Map.of("name", "monthly", "kind", "LIMIT", "monthlyBudget", budget))
        .status()).isEqualTo(201);

    UUID first = createMigration(operator, source, target);
    createMigration(operator, source, target);
    Api.Response refused = request();
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.code()).isEqualTo("POLICY_REFUSED");
    assertThat(refused.json().get("policy").asText()).isEqualTo("monthly");
    assertThat(refused.json().get("rule").asText()).isEqualTo("monthlyBudget");
    assertThat(refused.json().get("budget").decimalValue()).isEqualByComparingTo(budget);
    assertThat(refused.json().get("spent").decimalValue()).isEqualByComparingTo(each.multiply(BigDecimal.valueOf(2)));
    assertThat(refused.json().get("estimate").decimalValue()).isEqualByComparingTo(each);
    assertThat(refused.json().get("detail").asText()).contains("monthly", budget.toPlainString());
    assertThat(jdbc.queryForObject("select count(*) from migration", Long.class)).isEqualTo(2);

    // The first one fails before EXPORT: its actual cost is nothing, which frees its estimate.
    jdbc.update("update migration set state = 'FAILED', finished_at = now(), error_code = 'INTERNAL' where id = ?",
        first);
    assertThat(costs.migrationFinished(first, null)).isTrue();
    assertThat(costs.migrationFinished(first, null)).as("recorded once").isFalse();
    assertThat(jdbc.queryForObject("select actual_total from migration_ledger where migration_id = ?",
        BigDecimal.class, first)).isEqualByComparingTo("0");
    assertThat(request().status()).isEqualTo(201);
    assertThat(request().status()).isEqualTo(403);
  }

  @Test
  void concurrentRequestsCannotTogetherPassTheBudget() throws Exception {
    BigDecimal each = money(estimate(), "total");
    BigDecimal budget = each.multiply(BigDecimal.valueOf(2)).add(new BigDecimal("0.01"));
    assertThat(admin.post("/api/v1/policies", Map.of("name", "monthly", "kind", "LIMIT", "monthlyBudget", budget))
        .status()).isEqualTo(201);
    ExecutorService callers = Executors.newFixedThreadPool(6);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Api.Response>> responses = new ArrayList<>();
      for (int caller = 0; caller < 6; caller++) {
        responses.add(callers.submit(() -> {
          start.await();
          return request();
        }));
      }
      start.countDown();
      List<Integer> statuses = new ArrayList<>();
      for (Future<Api.Response> response : responses) {
        statuses.add(response.get(60, TimeUnit.SECONDS).status());
      }
      assertThat(statuses).containsOnly(201, 403).filteredOn(status -> status == 201).hasSize(2);
    } finally {
      callers.shutdownNow();
    }
    assertThat(jdbc.queryForObject("select sum(estimated_total) from migration_ledger", BigDecimal.class))
        .isLessThanOrEqualTo(budget);
  }

  @Test
  void aMigrationThatNeedsApprovalWaitsThenRunsWhenApprovedOrEndsRejected() {
    assertThat(admin.post("/api/v1/policies", Map.of("name", "to-target-needs-approval", "kind", "APPROVAL",
        "targetAccountIds", List.of(target))).status()).isEqualTo(201);

    Api.Response waiting = request();
    assertThat(waiting.status()).isEqualTo(201);
    assertThat(waiting.json().get("state").asText()).isEqualTo("AWAITING_APPROVAL");
    String approved = waiting.json().get("id").asText();
    assertThat(handedOver()).doesNotContain(approved);
    assertThat(jdbc.queryForObject("select approval_policy from migration_ledger where migration_id = ?::uuid",
        String.class, approved)).isEqualTo("to-target-needs-approval");

    assertThat(operator.post("/api/v1/migrations/" + approved + "/approve", null).status()).isEqualTo(403);
    Api.Response approval = admin.post("/api/v1/migrations/" + approved + "/approve", Map.of("reason", "fine"));
    assertThat(approval.status()).as(approval.toString()).isEqualTo(200);
    assertThat(approval.json().get("state").asText()).isEqualTo("QUEUED");
    assertThat(approval.json().get("decidedBy").asText()).isEqualTo("alice");
    assertThat(handedOver()).containsOnlyOnce(approved);
    assertThat(admin.post("/api/v1/migrations/" + approved + "/approve", null).status()).isEqualTo(409);

    String rejected = request().json().get("id").asText();
    Api.Response rejection = admin.post("/api/v1/migrations/" + rejected + "/reject", Map.of("reason", "too big"));
    assertThat(rejection.json().get("state").asText()).isEqualTo("REJECTED");
    assertThat(admin.get("/api/v1/migrations/" + rejected).json().get("errorMessage").asText()).isEqualTo("too big");
    assertThat(admin.get("/api/v1/migrations/" + rejected).json().get("finishedAt").isNull()).isFalse();
    assertThat(admin.post("/api/v1/migrations/" + rejected + "/approve", null).status()).isEqualTo(409);
    assertThat(handedOver()).doesNotContain(rejected);
    assertThat(jdbc.queryForObject("select decided_by from migration_ledger where migration_id = ?::uuid",
        String.class, rejected)).isEqualTo("alice");
    assertThat(jdbc.queryForObject("select count(*) from audit_event where actor = 'alice'"
        + " and action in ('POST /api/v1/migrations/{id}/approve', 'POST /api/v1/migrations/{id}/reject')", Long.class))
        .isEqualTo(4);
  }

  @Test
  void actualCostComesFromTheOrchestratorsFinalStatus() {
    UUID migration = createMigration(operator, source, target);
    Instant start = Instant.parse("2026-11-20T10:00:00Z");
    List<MigrationStatus.StepStatus> steps = new ArrayList<>();
    for (StepName step : StepName.values()) {
      Instant begun = start.plus(Duration.ofMinutes(15L * step.ordinal()));
      long bytes = step == StepName.EXPORT ? 1_000_000_000L : 0;
      steps.add(new MigrationStatus.StepStatus(step, io.ferry.orchestrator.StepState.SUCCEEDED, 1, null, null, bytes,
          bytes, null, null, null, begun, begun.plus(Duration.ofMinutes(15))));
    }
    Instant end = start.plus(Duration.ofMinutes(15L * StepName.values().length));
    MigrationStatus running = new MigrationStatus(migration.toString(), JobState.RUNNING, StepName.VERIFY, null, null,
        null, null, null, null, null, start, end, null, steps);
    assertThat(costs.migrationFinished(running)).as("not ended").isFalse();
    MigrationStatus done = new MigrationStatus(migration.toString(), JobState.SUCCEEDED, null, null, null, null, null,
        null, "image-1", null, start, end, end, steps);

    assertThat(costs.migrationFinished(done)).isTrue();
    assertThat(costs.migrationFinished(done)).as("recorded once").isFalse();
    Map<String, Object> ledger = jdbc.queryForMap("select bytes_moved, helper_seconds, actual_total, actual_recorded_at"
        + " from migration_ledger where migration_id = ?", migration);
    assertThat(ledger.get("bytes_moved")).isEqualTo(1_000_000_000L);
    // PREPARE_TARGET, RESTORE, INJECT and UPLOAD: four steps of 15 minutes on the helper.
    assertThat(ledger.get("helper_seconds")).isEqualTo(3600L);
    // 1 GB: egress 0.09, helper 1 h at 0.10, image 0.04 and bundle 0.023 per month.
    assertThat((BigDecimal) ledger.get("actual_total")).isEqualByComparingTo("0.253");
    assertThat(((java.sql.Timestamp) ledger.get("actual_recorded_at")).toInstant()).isEqualTo(end);
    JsonNode cost = operator.get("/api/v1/migrations/" + migration + "/cost").json();
    assertThat(cost.get("actualTotal").decimalValue()).isEqualByComparingTo("0.253");
    assertThat(cost.get("bytesMoved").asLong()).isEqualTo(1_000_000_000L);
    assertThat(cost.get("estimatedTotal").decimalValue()).isEqualByComparingTo(money(estimate(), "total"));
  }

  private List<String> handedOver() {
    if (orchestrator instanceof RecordingMigrationOrchestrator recording) {
      return recording.submitted().stream().map(MigrationRequest::migrationId).toList();
    }
    // The real workflow: handed over means the orchestrator recorded a job.
    return jdbc.queryForList("select id::text from orchestrator_job", String.class);
  }

  private Api.Response request() {
    return operator.post("/api/v1/migrations",
        Map.of("sourceAccountId", source, "sourceImageId", "img-debian", "targetAccountId", target));
  }

  private JsonNode estimate() {
    Api.Response estimate = operator.post("/api/v1/migrations/estimate",
        Map.of("sourceAccountId", source, "sourceImageId", "img-debian", "targetAccountId", target));
    assertThat(estimate.status()).as(estimate.toString()).isEqualTo(200);
    return estimate.json();
  }

  private static BigDecimal money(JsonNode node, String field) {
    return node.get(field).decimalValue();
  }

  private static BigDecimal round(BigDecimal value) {
    return value.setScale(4, RoundingMode.HALF_UP);
  }
}
