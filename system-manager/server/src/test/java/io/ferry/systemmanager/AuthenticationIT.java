package io.ferry.systemmanager;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.systemmanager.internal.security.TokenHashing;
import io.ferry.systemmanager.internal.tenant.AppUser;
import io.ferry.systemmanager.internal.tenant.Bootstrap;
import io.ferry.systemmanager.internal.tenant.Role;
import io.ferry.systemmanager.internal.tenant.Tenant;
import io.ferry.systemmanager.support.Api;
import io.ferry.systemmanager.support.ApiIntegrationTest;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Sign-in with a session, CSRF, API tokens and the first-start bootstrap. */
class AuthenticationIT extends ApiIntegrationTest {

  @Autowired Bootstrap bootstrap;

  @Test
  void browserSignsInUsesCsrfProtectedSessionAndSignsOut() {
    Tenant tenant = tenant("acme");
    user(tenant, "alice", Role.ADMIN);
    Api browser = Api.browser(port);

    Api.Response wrong = browser.post("/api/v1/auth/login", Map.of("username", "alice", "password", "not-it-at-all"));
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.code()).isEqualTo("INVALID_CREDENTIALS");
    Api.Response unknown = browser.post("/api/v1/auth/login", Map.of("username", "nobody", "password", "whatever"));
    assertThat(unknown.status()).isEqualTo(401);
    assertThat(unknown.code()).isEqualTo("INVALID_CREDENTIALS");

    Api.Response login = browser.post("/api/v1/auth/login", Map.of("username", "alice", "password", PASSWORD));
    assertThat(login.status()).isEqualTo(200);
    assertThat(login.json().get("role").asText()).isEqualTo("ADMIN");
    assertThat(login.raw().headers().allValues("Set-Cookie")).anyMatch(c -> c.startsWith("JSESSIONID=") && c.contains("HttpOnly") && c.contains("SameSite=Lax"));
    assertThat(browser.csrfToken()).hasValue(login.json().get("csrfToken").asText());

    Api.Response me = browser.get("/api/v1/auth/me");
    assertThat(me.status()).isEqualTo(200);
    assertThat(me.json().get("username").asText()).isEqualTo("alice");
    assertThat(me.json().get("tenantId").asText()).isEqualTo(tenant.id().toString());

    Api.Response created = browser.post("/api/v1/tokens", Map.of("name", "from-the-browser"));
    assertThat(created.status()).isEqualTo(201);

    browser.dropCsrfCookie();
    Api.Response withoutCsrf = browser.post("/api/v1/tokens", Map.of("name", "forged"));
    assertThat(withoutCsrf.status()).isEqualTo(403);
    assertThat(withoutCsrf.code()).isEqualTo("CSRF_TOKEN_INVALID");
    assertThat(jdbc.queryForObject("select count(*) from api_token", Long.class)).isEqualTo(1);

    String token = browser.get("/api/v1/auth/me").json().get("csrfToken").asText();
    assertThat(browser.csrfToken()).hasValue(token);
    assertThat(browser.post("/api/v1/auth/logout", null).status()).isEqualTo(204);
    assertThat(browser.get("/api/v1/auth/me").status()).isEqualTo(401);
  }

  @Test
  void apiTokenIsShownOnceStoredHashedListedAndRevoked() {
    AppUser alice = user(tenant("acme"), "alice", Role.OPERATOR);
    Api browser = browser("alice", PASSWORD);

    Api.Response created = browser.post("/api/v1/tokens", Map.of("name", "ci-pipeline"));
    assertThat(created.status()).isEqualTo(201);
    String token = created.json().get("token").asText();
    assertThat(token).startsWith("ferry_").hasSizeGreaterThan(40);

    assertThat(jdbc.queryForObject("select token_hash from api_token", String.class)).isEqualTo(TokenHashing.hash(token));
    assertThat(jdbc.queryForList("select * from api_token").toString()).doesNotContain(token);
    Api.Response list = browser.get("/api/v1/tokens");
    assertThat(list.body()).doesNotContain(token).contains("ci-pipeline");
    assertThat(list.json().get(0).get("prefix").asText()).isEqualTo(token.substring(0, 12));

    Api ci = Api.bearer(port, token);
    Api.Response me = ci.get("/api/v1/auth/me");
    assertThat(me.status()).isEqualTo(200);
    assertThat(me.json().get("userId").asText()).isEqualTo(alice.id().toString());
    assertThat(me.json().has("csrfToken")).isFalse();
    assertThat(me.raw().headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("JSESSIONID"));
    assertThat(ci.post("/api/v1/tokens", Map.of("name", "made-by-ci")).status())
        .as("bearer requests need no CSRF token").isEqualTo(201);

    assertThat(browser.delete("/api/v1/tokens/" + created.json().get("id").asText()).status()).isEqualTo(204);
    Api.Response revoked = ci.get("/api/v1/auth/me");
    assertThat(revoked.status()).isEqualTo(401);
    assertThat(revoked.code()).isEqualTo("INVALID_TOKEN");
  }

  @Test
  void usersOnlySeeAndRevokeTheirOwnTokensUnlessAdmin() {
    Tenant tenant = tenant("acme");
    Api alice = as(user(tenant, "alice", Role.OPERATOR));
    Api bob = as(user(tenant, "bob", Role.OPERATOR));
    Api admin = as(user(tenant, "ada", Role.ADMIN));
    String alicesToken = alice.post("/api/v1/tokens", Map.of("name", "alices")).json().get("id").asText();

    assertThat(bob.get("/api/v1/tokens/" + alicesToken).status()).isEqualTo(404);
    assertThat(bob.delete("/api/v1/tokens/" + alicesToken).status()).isEqualTo(404);
    assertThat(bob.get("/api/v1/tokens").body()).doesNotContain("alices");
    assertThat(admin.get("/api/v1/tokens").body()).contains("alices");
    assertThat(admin.delete("/api/v1/tokens/" + alicesToken).status()).isEqualTo(204);
  }

  @Test
  void firstStartCreatesDefaultTenantPlatformAdminAndLocalCloudOnce() {
    bootstrap.bootstrap();

    Tenant defaultTenant = tenants.findByName("default").orElseThrow();
    AppUser admin = users.findByUsername("admin").orElseThrow();
    assertThat(admin.platformAdmin()).isTrue();
    assertThat(admin.tenantId()).isEqualTo(defaultTenant.id());
    assertThat(admin.passwordHash()).startsWith("$2").doesNotContain(BOOTSTRAP_PASSWORD);
    Api browser = browser("admin", BOOTSTRAP_PASSWORD);
    assertThat(browser.get("/api/v1/auth/me").json().get("platformAdmin").asBoolean()).isTrue();
    assertThat(jdbc.queryForList("select plugin_id from cloud_account", String.class)).containsExactly("local");
    assertThat(browser.get("/api/v1/cloud-accounts").json().findValuesAsText("name")).containsExactly("local");

    Map<String, Long> counts = rowCounts();
    bootstrap.bootstrap();
    assertThat(rowCounts()).isEqualTo(counts);
  }

  @Test
  void sessionsFollowRoleChangesAndEndWhenTheUserIsDeleted() {
    Tenant tenant = tenant("acme");
    Api admin = as(user(tenant, "ada", Role.ADMIN));
    AppUser bob = user(tenant, "bob", Role.OPERATOR);
    Api browser = browser("bob", PASSWORD);
    assertThat(browser.get("/api/v1/auth/me").json().get("role").asText()).isEqualTo("OPERATOR");

    assertThat(admin.patch("/api/v1/users/" + bob.id(), Map.of("role", "VIEWER")).status()).isEqualTo(200);
    assertThat(browser.get("/api/v1/auth/me").json().get("role").asText()).isEqualTo("VIEWER");
    assertThat(browser.post("/api/v1/cloud-accounts/" + java.util.UUID.randomUUID() + "/images/refresh", null).status())
        .isEqualTo(403);

    assertThat(admin.delete("/api/v1/users/" + bob.id()).status()).isEqualTo(204);
    Api.Response afterDelete = browser.get("/api/v1/auth/me");
    assertThat(afterDelete.status()).isEqualTo(401);
    assertThat(afterDelete.code()).isEqualTo("UNAUTHENTICATED");
  }

  @Test
  void onlyThePlatformAdminChangesThePlatformAdmin() {
    Tenant tenant = tenant("default");
    AppUser root = platformAdmin(tenant, "root");
    Api tenantAdmin = as(user(tenant, "ada", Role.ADMIN));

    Api.Response takeover = tenantAdmin.patch("/api/v1/users/" + root.id(), Map.of("password", "attacker-chosen-pw"));
    assertThat(takeover.status()).isEqualTo(403);
    assertThat(takeover.code()).isEqualTo("ACCESS_DENIED");
    assertThat(tenantAdmin.delete("/api/v1/users/" + root.id()).status()).isEqualTo(409);
    browser("root", PASSWORD);
  }
}
