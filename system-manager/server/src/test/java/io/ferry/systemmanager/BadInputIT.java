package io.ferry.systemmanager;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.systemmanager.internal.tenant.AppUser;
import io.ferry.systemmanager.internal.tenant.Role;
import io.ferry.systemmanager.internal.tenant.Tenant;
import io.ferry.systemmanager.support.Api;
import io.ferry.systemmanager.support.ApiIntegrationTest;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad input gets the right 4xx as a problem detail with a stable code, and changes nothing in the
 * database.
 */
class BadInputIT extends ApiIntegrationTest {

  private Tenant tenant;
  private AppUser adminUser;
  private Api admin;
  private UUID account;
  private Map<String, Long> before;

  @BeforeEach
  void data() {
    tenant = tenant("acme");
    adminUser = user(tenant, "alice", Role.ADMIN);
    admin = as(adminUser);
    account = createAccount(admin, "lab", "a-password-123");
    createMigration(admin, account, account);
    before = rowCounts();
  }

  private void assertProblem(Api.Response response, int status, String code) {
    assertThat(response.status()).as(response.toString()).isEqualTo(status);
    assertThat(response.contentType()).startsWith("application/problem+json");
    assertThat(response.code()).isEqualTo(code);
    assertThat(response.json().get("status").asInt()).isEqualTo(status);
    assertThat(rowCounts()).isEqualTo(before);
  }

  @Test
  void malformedJson() {
    assertProblem(admin.post("/api/v1/cloud-accounts", "{\"pluginId\": \"fake\", \"name\": "), 400, "MALFORMED_REQUEST");
    assertProblem(admin.post("/api/v1/migrations", "[1, 2"), 400, "MALFORMED_REQUEST");
  }

  @Test
  void wrongTypeNamesTheField() {
    Api.Response response = admin.post("/api/v1/migrations",
        Map.of("sourceAccountId", "not-a-uuid", "sourceImageId", "x", "targetAccountId", account));
    assertProblem(response, 400, "MALFORMED_REQUEST");
    assertThat(response.json().get("errors").findValuesAsText("field")).containsExactly("sourceAccountId");
  }

  @Test
  void unknownField() {
    Map<String, Object> body = fakeAccount("other", "a-password-123");
    body.put("colour", "blue");
    Api.Response response = admin.post("/api/v1/cloud-accounts", body);
    assertProblem(response, 400, "UNKNOWN_FIELD");
    assertThat(response.json().get("errors").findValuesAsText("field")).containsExactly("colour");
  }

  @Test
  void validationErrorsListTheOffendingFields() {
    Api.Response response = admin.post("/api/v1/users", Map.of("username", "", "password", "short"));
    assertProblem(response, 400, "VALIDATION_FAILED");
    assertThat(response.json().get("errors").findValuesAsText("field"))
        .containsOnly("username", "password", "role");
  }

  @Test
  void oversizedBodyWithLength() {
    byte[] body = new byte[1536 * 1024];
    Arrays.fill(body, (byte) ' ');
    HttpRequest.Builder request = admin.request("POST", "/api/v1/cloud-accounts")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    assertProblem(admin.send(request), 413, "PAYLOAD_TOO_LARGE");
  }

  @Test
  void oversizedBodyWithoutLength() {
    byte[] body = ("{\"pluginId\": \"fake\", \"name\": \"" + "x".repeat(1100 * 1024) + "\"}").getBytes();
    HttpRequest.Builder request = admin.request("POST", "/api/v1/cloud-accounts")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));
    assertProblem(admin.send(request), 413, "PAYLOAD_TOO_LARGE");
  }

  @Test
  void noCredentials() {
    assertProblem(Api.anonymous(port).post("/api/v1/cloud-accounts", fakeAccount("x", "a-password-123")), 401,
        "UNAUTHENTICATED");
    assertProblem(Api.anonymous(port).get("/api/v1/migrations"), 401, "UNAUTHENTICATED");
  }

  @Test
  void wrongToken() {
    Api wrong = Api.bearer(port, "ferry_this-token-does-not-exist");
    assertProblem(wrong.post("/api/v1/cloud-accounts", fakeAccount("x", "a-password-123")), 401, "INVALID_TOKEN");
    assertProblem(wrong.get("/api/v1/cloud-accounts"), 401, "INVALID_TOKEN");
  }

  @Test
  void revokedToken() {
    Api.Response created = admin.post("/api/v1/tokens", Map.of("name", "soon-revoked"));
    Api revokedClient = Api.bearer(port, created.json().get("token").asText());
    assertThat(revokedClient.get("/api/v1/cloud-accounts").status()).isEqualTo(200);
    assertThat(admin.delete("/api/v1/tokens/" + created.json().get("id").asText()).status()).isEqualTo(204);
    before = rowCounts();

    assertProblem(revokedClient.delete("/api/v1/cloud-accounts/" + account), 401, "INVALID_TOKEN");
    assertProblem(revokedClient.get("/api/v1/cloud-accounts"), 401, "INVALID_TOKEN");
  }

  @Test
  void expiredToken() {
    String token = io.ferry.systemmanager.internal.security.TokenHashing.newToken();
    tokens.save(new io.ferry.systemmanager.internal.security.ApiToken(tenant.id(), adminUser.id(), "old",
        io.ferry.systemmanager.internal.security.TokenHashing.hash(token), "ferry_old", java.time.Instant.now().minusSeconds(7200),
        java.time.Instant.now().minusSeconds(3600)));
    before = rowCounts();
    assertProblem(Api.bearer(port, token).delete("/api/v1/cloud-accounts/" + account), 401, "INVALID_TOKEN");
  }

  @Test
  void viewerCannotMutate() {
    Api viewer = as(user(tenant, "vera", Role.VIEWER));
    before = rowCounts();
    assertThat(viewer.get("/api/v1/cloud-accounts/" + account).status()).isEqualTo(200);

    assertProblem(viewer.post("/api/v1/cloud-accounts", fakeAccount("mine", "a-password-123")), 403, "ACCESS_DENIED");
    assertProblem(viewer.delete("/api/v1/cloud-accounts/" + account), 403, "ACCESS_DENIED");
    assertProblem(viewer.post("/api/v1/migrations",
        Map.of("sourceAccountId", account, "sourceImageId", "img-debian", "targetAccountId", account)), 403,
        "ACCESS_DENIED");
    assertProblem(viewer.post("/api/v1/cloud-accounts/" + account + "/images/refresh", null), 403, "ACCESS_DENIED");
    assertProblem(viewer.patch("/api/v1/users/" + adminUser.id(), Map.of("role", "VIEWER")), 403, "ACCESS_DENIED");
    assertProblem(viewer.post("/api/v1/tenants", Map.of("name", "mine")), 403, "ACCESS_DENIED");
  }

  @Test
  void unknownPathAndBadIdAreProblems() {
    assertProblem(admin.get("/api/v1/no-such-thing"), 404, "NOT_FOUND");
    assertProblem(admin.delete("/api/v1/no-such-thing"), 403, "ACCESS_DENIED");
    assertProblem(admin.get("/api/v1/migrations/" + UUID.randomUUID()), 404, "NOT_FOUND");
    assertProblem(admin.get("/api/v1/migrations/not-a-uuid"), 400, "INVALID_PARAMETER");
    assertProblem(admin.get("/api/v1/migrations?size=100000"), 400, "VALIDATION_FAILED");
    assertProblem(admin.get("/api/v1/migrations?state=DREAMING"), 400, "INVALID_PARAMETER");
  }
}
