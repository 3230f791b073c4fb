package io.ferry.systemmanager;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.spi.Architecture;
import io.ferry.standardization.spi.BootMode;
import io.ferry.standardization.spi.ImageInfo;
import io.ferry.systemmanager.internal.tenant.Role;
import io.ferry.systemmanager.internal.tenant.Tenant;
import io.ferry.systemmanager.support.Api;
import io.ferry.systemmanager.support.ApiIntegrationTest;
import io.ferry.systemmanager.support.FakeCloudPluginFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Roles × clouds × limits against the real API and database: every combination of caller role,
 * source and target account (in two regions) and image size is requested, and the answer (created,
 * refused by which policy and rule, or forbidden by role) and the stored migrations are checked.
 */
class PolicyMatrixIT extends ApiIntegrationTest {

  private static final long SMALL = 2L << 30;
  private static final long BIG = 5L << 30;
  private static final long MAX_IMAGE = 3L << 30;

  private record Expected(int status, String policy, String rule) {
    static Expected created() {
      return new Expected(201, null, null);
    }
  }

  @Test
  void everyRoleCloudAndLimitCombinationIsDecidedByTheNamedPolicy() {
    Tenant tenant = tenant("acme");
    Api admin = as(user(tenant, "alice", Role.ADMIN));
    Map<Role, Api> callers = new LinkedHashMap<>();
    callers.put(Role.ADMIN, admin);
    callers.put(Role.OPERATOR, as(user(tenant, "oscar", Role.OPERATOR)));
    callers.put(Role.VIEWER, as(user(tenant, "vera", Role.VIEWER)));
    Api carol = as(user(tenant, "carol", Role.OPERATOR));
    for (String location : List.of("loc-a", "loc-b", "loc-c")) {
      FakeCloudPluginFactory.IMAGES.put(location, List.of(image("small", SMALL), image("big", BIG)));
    }
    UUID a = account(admin, "a", "eu-1");
    UUID b = account(admin, "b", "eu-1");
    UUID c = account(admin, "c", "us-1");
    Map<UUID, String> names = Map.of(a, "a", b, "b", c, "c");

    policy(admin, Map.of("name", "operators-a-to-b", "kind", "ACCESS", "subjectRole", "OPERATOR",
        "sourceAccountIds", List.of(a), "targetAccountIds", List.of(b)));
    policy(admin, Map.of("name", "admins-in-eu", "kind", "ACCESS", "subjectRole", "ADMIN", "regions", List.of("eu-1")));
    policy(admin, Map.of("name", "carol-c-to-a", "kind", "ACCESS", "subjectUsername", "carol",
        "sourceAccountIds", List.of(c), "targetAccountIds", List.of(a)));
    policy(admin, Map.of("name", "image-size", "kind", "LIMIT", "maxImageBytes", MAX_IMAGE));

    List<UUID[]> pairs = List.of(new UUID[] {a, b}, new UUID[] {b, a}, new UUID[] {a, c}, new UUID[] {c, a});
    int created = 0;
    List<String> checked = new ArrayList<>();
    Map<String, Api> everyone = new LinkedHashMap<>();
    callers.forEach((role, api) -> everyone.put(role.name(), api));
    everyone.put("carol", carol);
    for (Map.Entry<String, Api> caller : everyone.entrySet()) {
      for (UUID[] pair : pairs) {
        for (String image : List.of("small", "big")) {
          Expected expected = expected(caller.getKey(), names.get(pair[0]), names.get(pair[1]), image);
          Api.Response response = caller.getValue().post("/api/v1/migrations",
              Map.of("sourceAccountId", pair[0], "sourceImageId", image, "targetAccountId", pair[1]));
          String what = caller.getKey() + " " + names.get(pair[0]) + "->" + names.get(pair[1]) + " " + image + ": "
              + response;
          assertThat(response.status()).as(what).isEqualTo(expected.status());
          if (expected.status() == 201) {
            created++;
            assertThat(response.json().get("state").asText()).as(what).isEqualTo("QUEUED");
            // Ended at once, so that the concurrency limit below starts from nothing running.
            assertThat(caller.getValue().post("/api/v1/migrations/" + response.json().get("id").asText() + "/cancel",
                null).status()).isEqualTo(200);
          } else if (expected.policy() != null) {
            JsonNode problem = response.json();
            assertThat(problem.get("code").asText()).as(what).isEqualTo("POLICY_REFUSED");
            assertThat(problem.get("policy").asText()).as(what).isEqualTo(expected.policy());
            assertThat(problem.get("rule").asText()).as(what).isEqualTo(expected.rule());
            assertThat(problem.get("detail").asText()).as(what).contains(expected.policy());
            assertThat(response.contentType()).startsWith("application/problem+json");
          } else {
            assertThat(response.code()).as(what).isEqualTo("ACCESS_DENIED");
          }
          checked.add(what);
        }
      }
    }
    assertThat(checked).hasSize(4 * 4 * 2);
    assertThat(created).isEqualTo(5);
    assertThat(jdbc.queryForObject("select count(*) from migration", Long.class)).isEqualTo(created);
    Api.Response refusedBig = callers.get(Role.ADMIN).post("/api/v1/migrations",
        Map.of("sourceAccountId", a, "sourceImageId", "big", "targetAccountId", b));
    assertThat(refusedBig.json().get("imageBytes").asLong()).isEqualTo(BIG);
    assertThat(refusedBig.json().get("maxImageBytes").asLong()).isEqualTo(MAX_IMAGE);

    // The concurrency limit: two may run; the third is refused with the numbers.
    policy(admin, Map.of("name", "two-at-a-time", "kind", "LIMIT", "maxConcurrentMigrations", 2));
    Api operator = callers.get(Role.OPERATOR);
    Map<String, Object> allowed = Map.of("sourceAccountId", a, "sourceImageId", "small", "targetAccountId", b);
    assertThat(operator.post("/api/v1/migrations", allowed).status()).isEqualTo(201);
    assertThat(operator.post("/api/v1/migrations", allowed).status()).isEqualTo(201);
    Api.Response third = operator.post("/api/v1/migrations", allowed);
    assertThat(third.status()).isEqualTo(403);
    assertThat(third.json().get("policy").asText()).isEqualTo("two-at-a-time");
    assertThat(third.json().get("rule").asText()).isEqualTo("maxConcurrentMigrations");
    assertThat(third.json().get("active").asLong()).isEqualTo(2);
    assertThat(third.json().get("maxConcurrentMigrations").asLong()).isEqualTo(2);
    assertThat(jdbc.queryForObject("select count(*) from migration where state = 'QUEUED'", Long.class)).isEqualTo(2);
  }

  @Test
  void onlyTenantAdminsWritePoliciesAndEveryoneInTheTenantReadsThem() {
    Tenant tenant = tenant("acme");
    Api admin = as(user(tenant, "alice", Role.ADMIN));
    Api operator = as(user(tenant, "oscar", Role.OPERATOR));
    Api viewer = as(user(tenant, "vera", Role.VIEWER));
    Map<String, Object> body = Map.of("name", "budget", "kind", "LIMIT", "monthlyBudget", 100);

    assertThat(operator.post("/api/v1/policies", body).status()).isEqualTo(403);
    assertThat(viewer.post("/api/v1/policies", body).status()).isEqualTo(403);
    Api.Response created = admin.post("/api/v1/policies", body);
    assertThat(created.status()).isEqualTo(201);
    String id = created.json().get("id").asText();
    assertThat(viewer.get("/api/v1/policies").json().findValuesAsText("name")).containsExactly("budget");
    assertThat(operator.put("/api/v1/policies/" + id, body).status()).isEqualTo(403);
    assertThat(operator.delete("/api/v1/policies/" + id).status()).isEqualTo(403);
    assertThat(admin.post("/api/v1/policies", body).status()).isEqualTo(409);
    Api.Response limitWithoutLimit = admin.post("/api/v1/policies", Map.of("name", "empty", "kind", "LIMIT"));
    assertThat(limitWithoutLimit.status()).isEqualTo(400);
    assertThat(limitWithoutLimit.code()).isEqualTo("VALIDATION_FAILED");
    assertThat(admin.delete("/api/v1/policies/" + id).status()).isEqualTo(204);
    assertThat(jdbc.queryForObject("select count(*) from audit_event where action like '%/api/v1/policies%'"
        + " and actor = 'alice'", Long.class)).isEqualTo(4);
  }

  /** The rules above, written out independently of the implementation. */
  private static Expected expected(String caller, String source, String target, String image) {
    if (caller.equals("VIEWER")) {
      return new Expected(403, null, null);
    }
    boolean allowed = switch (caller) {
      case "ADMIN" -> !source.equals("c") && !target.equals("c");
      case "OPERATOR" -> source.equals("a") && target.equals("b");
      default -> (source.equals("a") && target.equals("b")) || (source.equals("c") && target.equals("a"));
    };
    if (!allowed) {
      String first = switch (caller) {
        case "ADMIN" -> "admins-in-eu";
        case "OPERATOR" -> "operators-a-to-b";
        default -> "carol-c-to-a";
      };
      return new Expected(403, first, "access");
    }
    if (image.equals("big")) {
      return new Expected(403, "image-size", "maxImageBytes");
    }
    return Expected.created();
  }

  private UUID account(Api admin, String name, String region) {
    Map<String, Object> body = new LinkedHashMap<>(fakeAccount(name, "password-" + name));
    body.put("region", region);
    Api.Response created = admin.post("/api/v1/cloud-accounts", body);
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    return UUID.fromString(created.json().get("id").asText());
  }

  private static void policy(Api admin, Map<String, Object> body) {
    Api.Response created = admin.post("/api/v1/policies", body);
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
  }

  private static ImageInfo image(String id, long size) {
    return new ImageInfo(id, id, "v1", DiskFormat.QCOW2, size, "Debian 12", Architecture.X86_64, BootMode.UEFI, "kvm",
        Map.of(), Instant.parse("2026-01-01T00:00:00Z"));
  }
}
