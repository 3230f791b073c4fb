package io.ferry.systemmanager;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.orchestrator.AgentChannel;
import io.ferry.systemmanager.internal.tenant.AppUser;
import io.ferry.systemmanager.internal.tenant.Role;
import io.ferry.systemmanager.internal.tenant.Tenant;
import io.ferry.systemmanager.support.Api;
import io.ferry.systemmanager.support.ApiIntegrationTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Tenant A's admin tries to read, change and delete every resource of tenant B, through every
 * endpoint that takes an id, and always gets 404; B's data is unchanged afterwards. The list of
 * endpoints is checked against the application's actual request mappings, so a new endpoint with
 * an id fails this test until it is covered here.
 */
class TenantIsolationIT extends ApiIntegrationTest {

  @Autowired
  @Qualifier("requestMappingHandlerMapping")
  RequestMappingHandlerMapping mappings;

  @Autowired AgentChannel channel;

  private Api adminOfA;
  private Api agentOfA;
  private Api adminOfB;
  private Tenant tenantB;
  private UUID userOfB;
  private UUID tokenOfB;
  private UUID accountOfB;
  private UUID migrationOfB;
  private UUID policyOfB;
  private UUID triggerOfB;
  private UUID tenantAId;

  /** One attempt: method, path template, the concrete path and body. */
  private record Attempt(String method, String template, String path, Object body) {}

  @BeforeEach
  void twoTenants() {
    Tenant tenantA = tenant("tenant-a");
    tenantAId = tenantA.id();
    tenantB = tenant("tenant-b");
    adminOfA = as(user(tenantA, "admin-a", Role.ADMIN));
    AppUser bAdmin = user(tenantB, "admin-b", Role.ADMIN);
    adminOfB = as(bAdmin);
    userOfB = user(tenantB, "viewer-b", Role.VIEWER).id();
    Api.Response token = adminOfB.post("/api/v1/tokens", Map.of("name", "b-ci"));
    tokenOfB = UUID.fromString(token.json().get("id").asText());
    accountOfB = createAccount(adminOfB, "b-cloud", "b-password-123");
    migrationOfB = createMigration(adminOfB, accountOfB, accountOfB);
    policyOfB = UUID.fromString(adminOfB.post("/api/v1/policies", policyBody("b-limit")).json().get("id").asText());
    triggerOfB = UUID.fromString(
        adminOfB.post("/api/v1/triggers", triggerBody("b-nightly", accountOfB)).json().get("id").asText());
    // The guest agent of a job of A, with its job token; B's job has an instruction queued.
    UUID migrationOfA = UUID.randomUUID();
    agentOfA = Api.bearer(port, channel.issueToken(migrationOfA.toString(), tenantAId.toString(), Duration.ofHours(1)));
    channel.issueToken(migrationOfB.toString(), tenantB.id().toString(), Duration.ofHours(1));
    channel.queue(migrationOfB.toString(), "restore-1", "restore", new ObjectMapper().createObjectNode());
  }

  /** What the agent of A's job tries on B's job: every agent endpoint. */
  private List<Attempt> agentAttempts() {
    String job = "/api/v1/agent/jobs/" + migrationOfB;
    List<Attempt> attempts = new ArrayList<>();
    attempts.add(new Attempt("GET", "/api/v1/agent/jobs/{job}/instructions", job + "/instructions", null));
    attempts.add(new Attempt("POST", "/api/v1/agent/jobs/{job}/progress", job + "/progress",
        Map.of("instructionId", "restore-1", "state", "RUNNING", "message", "stolen")));
    attempts.add(new Attempt("POST", "/api/v1/agent/jobs/{job}/reports", job + "/reports",
        Map.of("instructionId", "restore-1", "state", "SUCCEEDED", "report", Map.of())));
    attempts.add(new Attempt("GET", "/api/v1/agent/jobs/{job}/bundle/manifest", job + "/bundle/manifest", null));
    attempts.add(new Attempt("GET", "/api/v1/agent/jobs/{job}/bundle/chunks/{sha256}",
        job + "/bundle/chunks/" + "0".repeat(64), null));
    return attempts;
  }

  private static Map<String, Object> policyBody(String name) {
    return Map.of("name", name, "kind", "LIMIT", "maxConcurrentMigrations", 5);
  }

  private static Map<String, Object> triggerBody(String name, UUID account) {
    return Map.of("name", name, "kind", "SCHEDULE", "cron", "0 0 2 * * *", "sourceAccountId", account,
        "targetAccountIds", List.of(account));
  }

  private List<Attempt> attempts() {
    Map<String, Object> accountBody = fakeAccount("stolen", "a-password-123");
    List<Attempt> attempts = new ArrayList<>();
    attempts.add(new Attempt("GET", "/api/v1/tenants/{id}", "/api/v1/tenants/" + tenantB.id(), null));
    attempts.add(new Attempt("PATCH", "/api/v1/tenants/{id}", "/api/v1/tenants/" + tenantB.id(), Map.of("name", "renamed")));
    attempts.add(new Attempt("GET", "/api/v1/users/{id}", "/api/v1/users/" + userOfB, null));
    attempts.add(new Attempt("PATCH", "/api/v1/users/{id}", "/api/v1/users/" + userOfB, Map.of("role", "ADMIN")));
    attempts.add(new Attempt("DELETE", "/api/v1/users/{id}", "/api/v1/users/" + userOfB, null));
    attempts.add(new Attempt("GET", "/api/v1/tokens/{id}", "/api/v1/tokens/" + tokenOfB, null));
    attempts.add(new Attempt("DELETE", "/api/v1/tokens/{id}", "/api/v1/tokens/" + tokenOfB, null));
    attempts.add(new Attempt("GET", "/api/v1/cloud-accounts/{id}", "/api/v1/cloud-accounts/" + accountOfB, null));
    attempts.add(new Attempt("PUT", "/api/v1/cloud-accounts/{id}", "/api/v1/cloud-accounts/" + accountOfB, accountBody));
    attempts.add(new Attempt("DELETE", "/api/v1/cloud-accounts/{id}", "/api/v1/cloud-accounts/" + accountOfB, null));
    attempts.add(new Attempt("GET", "/api/v1/cloud-accounts/{id}/images", "/api/v1/cloud-accounts/" + accountOfB + "/images", null));
    attempts.add(new Attempt("POST", "/api/v1/cloud-accounts/{id}/images/refresh",
        "/api/v1/cloud-accounts/" + accountOfB + "/images/refresh", null));
    attempts.add(new Attempt("GET", "/api/v1/migrations/{id}", "/api/v1/migrations/" + migrationOfB, null));
    attempts.add(new Attempt("POST", "/api/v1/migrations/{id}/cancel", "/api/v1/migrations/" + migrationOfB + "/cancel", null));
    attempts.add(new Attempt("GET", "/api/v1/migrations/{id}/events", "/api/v1/migrations/" + migrationOfB + "/events", null));
    attempts.add(new Attempt("GET", "/api/v1/migrations/{id}/report", "/api/v1/migrations/" + migrationOfB + "/report", null));
    attempts.add(new Attempt("GET", "/api/v1/migrations/{id}/cost", "/api/v1/migrations/" + migrationOfB + "/cost", null));
    attempts.add(new Attempt("POST", "/api/v1/migrations/{id}/approve", "/api/v1/migrations/" + migrationOfB + "/approve", null));
    attempts.add(new Attempt("POST", "/api/v1/migrations/{id}/reject", "/api/v1/migrations/" + migrationOfB + "/reject", null));
    String prices = "/api/v1/cloud-accounts/" + accountOfB + "/prices";
    Map<String, Object> priceBody = Map.of("egressPerGb", 1, "helperVmPerHour", 1, "imageStoragePerGbMonth", 1,
        "objectStoragePerGbMonth", 1);
    attempts.add(new Attempt("GET", "/api/v1/cloud-accounts/{id}/prices", prices, null));
    attempts.add(new Attempt("PUT", "/api/v1/cloud-accounts/{id}/prices", prices, priceBody));
    attempts.add(new Attempt("DELETE", "/api/v1/cloud-accounts/{id}/prices", prices, null));
    attempts.add(new Attempt("GET", "/api/v1/policies/{id}", "/api/v1/policies/" + policyOfB, null));
    attempts.add(new Attempt("PUT", "/api/v1/policies/{id}", "/api/v1/policies/" + policyOfB, policyBody("stolen")));
    attempts.add(new Attempt("DELETE", "/api/v1/policies/{id}", "/api/v1/policies/" + policyOfB, null));
    attempts.add(new Attempt("GET", "/api/v1/triggers/{id}", "/api/v1/triggers/" + triggerOfB, null));
    attempts.add(new Attempt("GET", "/api/v1/triggers/{id}/events", "/api/v1/triggers/" + triggerOfB + "/events", null));
    attempts.add(new Attempt("PUT", "/api/v1/triggers/{id}", "/api/v1/triggers/" + triggerOfB,
        triggerBody("stolen", UUID.randomUUID())));
    attempts.add(new Attempt("DELETE", "/api/v1/triggers/{id}", "/api/v1/triggers/" + triggerOfB, null));
    return attempts;
  }

  @Test
  void everyEndpointWithAnIdAnswers404ForAnotherTenantsResource() {
    Map<String, Long> before = rowCounts();
    String accountsOfB = adminOfB.get("/api/v1/cloud-accounts/" + accountOfB).body();
    String migrationOfBBefore = adminOfB.get("/api/v1/migrations/" + migrationOfB).body();

    for (Attempt attempt : attempts()) {
      // The server-sent events endpoint is asked for as an event stream, as browsers do.
      Api.Response response = attempt.template().endsWith("/events") && attempt.template().startsWith("/api/v1/migrations")
          ? adminOfA.send(adminOfA.request("GET", attempt.path()).header("Accept", "text/event-stream").GET())
          : adminOfA.send(attempt.method(), attempt.path(), attempt.body());
      assertThat(response.status()).as(attempt.method() + " " + attempt.template() + ": " + response).isEqualTo(404);
      assertThat(response.code()).isEqualTo("NOT_FOUND");
      assertThat(response.contentType()).startsWith("application/problem+json");
    }

    for (Attempt attempt : agentAttempts()) {
      Api.Response response = agentOfA.send(attempt.method(), attempt.path(), attempt.body());
      assertThat(response.status()).as("agent of A: " + attempt.method() + " " + attempt.template() + ": " + response)
          .isEqualTo(404);
      assertThat(response.code()).isEqualTo("NOT_FOUND");
      assertThat(response.contentType()).startsWith("application/problem+json");
    }
    assertThat(channel.instruction(migrationOfB.toString(), "restore-1").orElseThrow().state())
        .isEqualTo(AgentChannel.State.QUEUED);

    assertThat(rowCounts()).isEqualTo(before);
    assertThat(adminOfB.get("/api/v1/cloud-accounts/" + accountOfB).body()).isEqualTo(accountsOfB);
    assertThat(adminOfB.get("/api/v1/migrations/" + migrationOfB).body()).isEqualTo(migrationOfBBefore);
    assertThat(adminOfB.get("/api/v1/tenants/" + tenantB.id()).json().get("name").asText()).isEqualTo("tenant-b");
    assertThat(adminOfB.get("/api/v1/users/" + userOfB).json().get("role").asText()).isEqualTo("VIEWER");
    assertThat(adminOfB.get("/api/v1/tokens/" + tokenOfB).json().has("revokedAt")).isFalse();
    assertThat(adminOfB.get("/api/v1/policies/" + policyOfB).json().get("name").asText()).isEqualTo("b-limit");
    assertThat(adminOfB.get("/api/v1/triggers/" + triggerOfB).json().get("name").asText()).isEqualTo("b-nightly");
    assertThat(adminOfB.get("/api/v1/cloud-accounts/" + accountOfB + "/prices").json().get("source").asText())
        .isEqualTo("plugin");
  }

  @Test
  void theAttemptsCoverEveryEndpointThatTakesAnId() {
    Set<String> mapped = new TreeSet<>();
    mappings.getHandlerMethods().keySet().forEach(info -> info.getPatternValues().stream()
        .filter(pattern -> pattern.startsWith("/api/") && pattern.contains("{"))
        .forEach(pattern -> info.getMethodsCondition().getMethods()
            .forEach(method -> mapped.add(method.name() + " " + pattern))));
    Set<String> covered = new TreeSet<>();
    attempts().forEach(attempt -> covered.add(attempt.method() + " " + attempt.template()));
    agentAttempts().forEach(attempt -> covered.add(attempt.method() + " " + attempt.template()));

    assertThat(covered).isEqualTo(mapped);
  }

  @Test
  void referencesToAnotherTenantsResourcesInBodiesAndFiltersAreNotFound() {
    Map<String, Long> before = rowCounts();
    UUID accountOfA = createAccount(adminOfA, "a-cloud", "a-password-123");
    Map<String, Long> afterAccount = rowCounts();

    Api.Response fromB = adminOfA.post("/api/v1/migrations",
        Map.of("sourceAccountId", accountOfB, "sourceImageId", "img-debian", "targetAccountId", accountOfA));
    assertThat(fromB.status()).isEqualTo(404);
    Api.Response toB = adminOfA.post("/api/v1/migrations",
        Map.of("sourceAccountId", accountOfA, "sourceImageId", "img-debian", "targetAccountId", accountOfB));
    assertThat(toB.status()).isEqualTo(404);
    Api.Response userInB = adminOfA.post("/api/v1/users",
        Map.of("username", "intruder", "password", PASSWORD, "role", "ADMIN", "tenantId", tenantB.id()));
    assertThat(userInB.status()).isEqualTo(404);
    assertThat(rowCounts()).isEqualTo(afterAccount);
    assertThat(afterAccount.get("cloud_account")).isEqualTo(before.get("cloud_account") + 1);

    assertThat(adminOfA.get("/api/v1/migrations?sourceAccountId=" + accountOfB).json().get("totalItems").asLong()).isZero();
  }

  @Test
  void listsShowOnlyTheCallersTenant() {
    assertThat(adminOfA.get("/api/v1/cloud-accounts").json().size()).isZero();
    assertThat(adminOfA.get("/api/v1/migrations").json().get("totalItems").asLong()).isZero();
    assertThat(adminOfA.get("/api/v1/policies").json().size()).isZero();
    assertThat(adminOfA.get("/api/v1/triggers").json().size()).isZero();
    assertThat(adminOfA.get("/api/v1/reports/summary").json().get("total").asLong()).isZero();
    assertThat(adminOfA.get("/api/v1/users").json().findValuesAsText("username")).containsExactly("admin-a");
    assertThat(adminOfA.get("/api/v1/tenants").json().findValuesAsText("name")).containsExactly("tenant-a");
    assertThat(adminOfA.get("/api/v1/tokens").json().findValuesAsText("name")).doesNotContain("b-ci");
    assertThat(adminOfA.get("/api/v1/audit").json().get("items").findValuesAsText("actor")).doesNotContain("admin-b");
    assertThat(adminOfB.get("/api/v1/audit").json().get("items").findValuesAsText("actor")).contains("admin-b");
  }

  @Test
  void platformAdminManagesTenantsAndUsersAndReadsTheWholeAuditLog() {
    Api platform = as(platformAdmin(tenant("platform"), "root"));

    assertThat(platform.get("/api/v1/tenants").json().findValuesAsText("name"))
        .contains("tenant-a", "tenant-b", "platform");
    Api.Response created = platform.post("/api/v1/tenants", Map.of("name", "tenant-c"));
    assertThat(created.status()).isEqualTo(201);
    String tenantC = created.json().get("id").asText();
    Api.Response firstAdmin = platform.post("/api/v1/users",
        Map.of("username", "admin-c", "password", PASSWORD, "role", "ADMIN", "tenantId", tenantC));
    assertThat(firstAdmin.status()).isEqualTo(201);
    assertThat(firstAdmin.json().get("tenantId").asText()).isEqualTo(tenantC);
    assertThat(platform.get("/api/v1/audit").json().get("items").findValuesAsText("actor"))
        .contains("admin-b", "root");

    Api.Response notPlatform = adminOfA.post("/api/v1/tenants", Map.of("name", "tenant-d"));
    assertThat(notPlatform.status()).isEqualTo(403);
    assertThat(notPlatform.code()).isEqualTo("ACCESS_DENIED");
    // Cloud accounts stay per tenant, also for the platform admin.
    assertThat(platform.get("/api/v1/cloud-accounts/" + accountOfB).status()).isEqualTo(404);
  }
}
