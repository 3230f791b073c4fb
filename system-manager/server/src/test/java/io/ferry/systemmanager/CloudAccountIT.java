package io.ferry.systemmanager;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.orchestrator.MigrationOrchestrator;
import io.ferry.orchestrator.RecordingMigrationOrchestrator;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.systemmanager.internal.tenant.AppUser;
import io.ferry.systemmanager.internal.tenant.Role;
import io.ferry.systemmanager.internal.tenant.Tenant;
import io.ferry.systemmanager.support.Api;
import io.ferry.systemmanager.support.ApiIntegrationTest;
import io.ferry.systemmanager.support.FakeCloudPluginFactory;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Cloud accounts, their catalogue and migrations over the real HTTP API. */
class CloudAccountIT extends ApiIntegrationTest {

  private static final String SECRET = "Sup3r-secret-cloud-password-4711";

  @Autowired MigrationOrchestrator orchestrator;

  private Api admin;
  private Api operator;

  @BeforeEach
  void users() {
    Tenant tenant = tenant("acme");
    admin = as(user(tenant, "alice", Role.ADMIN));
    operator = as(user(tenant, "oscar", Role.OPERATOR));
  }

  @Test
  void createsAccountWithoutEverReturningOrStoringTheSecretInPlainText() {
    Api.Response created = admin.post("/api/v1/cloud-accounts", fakeAccount("lab", SECRET));

    assertThat(created.status()).isEqualTo(201);
    assertThat(created.raw().headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).startsWith("/api/v1/cloud-accounts/"));
    JsonNode account = created.json();
    assertThat(account.get("secretKeys").toString()).isEqualTo("[\"password\"]");
    assertThat(account.get("settings").get("location").asText()).isEqualTo("loc-lab");
    assertThat(created.body()).doesNotContain(SECRET);
    UUID id = UUID.fromString(account.get("id").asText());
    assertThat(admin.get("/api/v1/cloud-accounts/" + id).body()).doesNotContain(SECRET).contains("\"lab\"");
    assertThat(admin.get("/api/v1/cloud-accounts").body()).doesNotContain(SECRET).contains(id.toString());

    List<Map<String, Object>> rows = jdbc.queryForList("select * from cloud_account");
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).toString()).doesNotContain(SECRET);
    String stored = jdbc.queryForObject("select secrets ->> 'password' from cloud_account", String.class);
    assertThat(stored).startsWith("v1:");
    String wholeTable = jdbc.queryForObject("select string_agg(t::text, ' ') from cloud_account t", String.class);
    assertThat(wholeTable).doesNotContain(SECRET).doesNotContain("Sup3r");

    // The plugin received the decrypted secret: encryption round-trips.
    assertThat(FakeCloudPluginFactory.CREATED).extracting(CloudAccountConfig::accountId).contains(id.toString());
    assertThat(FakeCloudPluginFactory.CREATED.stream().filter(c -> c.accountId().equals(id.toString())))
        .allSatisfy(config -> assertThat(config.secrets()).containsEntry("password", SECRET));
  }

  @Test
  void sameSecretTwiceGivesDifferentCiphertexts() {
    createAccount(admin, "one", SECRET);
    createAccount(admin, "two", SECRET);
    List<String> stored = jdbc.queryForList("select secrets ->> 'password' from cloud_account", String.class);
    assertThat(stored).hasSize(2).doesNotHaveDuplicates();
  }

  @Test
  void refusesUnknownAndMisplacedSettingsNamingTheFields() {
    Map<String, Object> body = fakeAccount("lab", SECRET);
    body.put("settings", Map.of("location", "x", "colour", "blue", "password", "oops"));
    Api.Response refused = admin.post("/api/v1/cloud-accounts", body);

    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.code()).isEqualTo("VALIDATION_FAILED");
    assertThat(refused.json().get("errors").findValuesAsText("field"))
        .containsExactly("settings.colour", "settings.password");
    assertThat(rowCounts().get("cloud_account")).isZero();
  }

  @Test
  void refusesMissingRequiredSettingsAndUnknownPlugins() {
    Map<String, Object> body = fakeAccount("lab", SECRET);
    body.put("settings", Map.of());
    body.put("secrets", Map.of());
    Api.Response refused = admin.post("/api/v1/cloud-accounts", body);
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.json().get("errors").findValuesAsText("field"))
        .containsExactly("secrets.password", "settings.location");

    body.put("pluginId", "no-such-cloud");
    Api.Response unknown = admin.post("/api/v1/cloud-accounts", body);
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.code()).isEqualTo("PLUGIN_NOT_INSTALLED");
  }

  @Test
  void credentialsTheCloudRefusesAreNotSaved() {
    Api.Response refused = admin.post("/api/v1/cloud-accounts", fakeAccount("lab", "wrong-password"));

    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.code()).isEqualTo("CLOUD_ACCOUNT_REJECTED");
    assertThat(refused.json().get("detail").asText()).contains("CLOUD_AUTHENTICATION_FAILED");
    assertThat(rowCounts().get("cloud_account")).isZero();
  }

  @Test
  void updateKeepsSecretsUnlessGivenAndRevalidates() {
    UUID id = createAccount(admin, "lab", SECRET);
    Map<String, Object> change = fakeAccount("lab-2", SECRET);
    change.remove("secrets");
    change.put("settings", Map.of("location", "elsewhere", "project", "p1"));

    Api.Response updated = admin.put("/api/v1/cloud-accounts/" + id, change);

    assertThat(updated.status()).isEqualTo(200);
    assertThat(updated.json().get("name").asText()).isEqualTo("lab-2");
    assertThat(updated.json().get("secretKeys").toString()).isEqualTo("[\"password\"]");
    CloudAccountConfig last = FakeCloudPluginFactory.CREATED.get(FakeCloudPluginFactory.CREATED.size() - 1);
    assertThat(last.secrets()).containsEntry("password", SECRET);
    assertThat(last.settings()).containsEntry("location", "elsewhere");

    change.put("secrets", Map.of("password", "wrong-new"));
    assertThat(admin.put("/api/v1/cloud-accounts/" + id, change).status()).isEqualTo(422);
    assertThat(admin.get("/api/v1/cloud-accounts/" + id).json().get("name").asText()).isEqualTo("lab-2");
  }

  @Test
  void catalogueIsFilledThroughThePluginCachedAndRefreshed() {
    UUID id = createAccount(admin, "lab", SECRET);

    Api.Response images = operator.get("/api/v1/cloud-accounts/" + id + "/images");
    assertThat(images.status()).isEqualTo(200);
    assertThat(images.json().findValuesAsText("id")).containsExactly("img-debian", "img-ubuntu");
    assertThat(images.json().get(0).get("bootMode").asText()).isEqualTo("UEFI");
    assertThat(jdbc.queryForObject("select count(*) from catalogue_image", Long.class)).isEqualTo(2);

    FakeCloudPluginFactory.IMAGES.put("loc-lab", List.of(FakeCloudPluginFactory.image("img-rocky", "rocky-9")));
    assertThat(operator.get("/api/v1/cloud-accounts/" + id + "/images").json().findValuesAsText("id"))
        .as("cached until refreshed").containsExactly("img-debian", "img-ubuntu");

    Api.Response refreshed = operator.post("/api/v1/cloud-accounts/" + id + "/images/refresh", null);
    assertThat(refreshed.status()).isEqualTo(200);
    assertThat(refreshed.json().findValuesAsText("id")).containsExactly("img-rocky");
    assertThat(operator.get("/api/v1/cloud-accounts/" + id + "/images").json().findValuesAsText("id"))
        .containsExactly("img-rocky");
    assertThat(admin.get("/api/v1/cloud-accounts/" + id).json().has("imagesRefreshedAt")).isTrue();
  }

  @Test
  void migrationsAreCreatedListedFilteredAndCancelled() {
    UUID source = createAccount(admin, "source", SECRET);
    UUID target = createAccount(admin, "target", SECRET);

    Api.Response created = operator.post("/api/v1/migrations", Map.of("sourceAccountId", source,
        "sourceImageId", "img-debian", "targetAccountId", target, "options", Map.of("targetImageName", "copy")));

    assertThat(created.status()).isEqualTo(201);
    JsonNode migration = created.json();
    UUID id = UUID.fromString(migration.get("id").asText());
    assertThat(migration.get("state").asText()).isEqualTo("QUEUED");
    assertThat(migration.get("progressPercent").asInt()).isZero();
    assertThat(migration.get("createdBy").asText()).isEqualTo("oscar");
    assertThat(migration.get("steps").findValuesAsText("name")).containsExactly("PLAN", "EXPORT", "STRIP", "BUNDLE",
        "PREPARE_TARGET", "RESTORE", "INJECT", "UPLOAD", "REGISTER", "VERIFY", "CLEANUP");
    assertThat(migration.get("steps").findValuesAsText("state")).containsOnly("PENDING");
    assertThat(((RecordingMigrationOrchestrator) orchestrator).submitted())
        .anySatisfy(request -> {
          assertThat(request.migrationId()).isEqualTo(id.toString());
          assertThat(request.sourceImageId()).isEqualTo("img-debian");
          assertThat(request.options()).containsEntry("targetImageName", "copy");
        });

    Api.Response read = operator.get("/api/v1/migrations/" + id);
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.json().get("steps").size()).isEqualTo(11);

    UUID second = createMigration(operator, target, source);
    UUID third = createMigration(operator, source, source);
    JsonNode page = operator.get("/api/v1/migrations?size=2&page=0").json();
    assertThat(page.get("totalItems").asLong()).isEqualTo(3);
    assertThat(page.get("totalPages").asInt()).isEqualTo(2);
    assertThat(page.get("items").findValuesAsText("id")).containsExactly(third.toString(), second.toString());
    assertThat(operator.get("/api/v1/migrations?size=2&page=1").json().get("items").findValuesAsText("id"))
        .containsExactly(id.toString());
    assertThat(operator.get("/api/v1/migrations?sourceAccountId=" + target).json().get("items")
        .findValuesAsText("id")).containsExactly(second.toString());
    assertThat(operator.get("/api/v1/migrations?targetAccountId=" + source).json().get("totalItems").asLong())
        .isEqualTo(2);
    assertThat(operator.get("/api/v1/migrations?createdFrom=2000-01-01T00:00:00Z&createdTo=2000-01-02T00:00:00Z")
        .json().get("totalItems").asLong()).isZero();
    assertThat(operator.get("/api/v1/migrations?createdFrom=2000-01-01T00:00:00Z").json().get("totalItems").asLong())
        .isEqualTo(3);

    Api.Response cancelled = operator.post("/api/v1/migrations/" + id + "/cancel", null);
    assertThat(cancelled.status()).isEqualTo(200);
    assertThat(cancelled.json().get("state").asText()).isEqualTo("CANCELLED");
    assertThat(((RecordingMigrationOrchestrator) orchestrator).cancelled(id.toString())).isTrue();
    assertThat(operator.get("/api/v1/migrations?state=CANCELLED").json().get("items").findValuesAsText("id"))
        .containsExactly(id.toString());
    Api.Response again = operator.post("/api/v1/migrations/" + id + "/cancel", null);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.code()).isEqualTo("CONFLICT");

    Api.Response inUse = admin.delete("/api/v1/cloud-accounts/" + source);
    assertThat(inUse.status()).isEqualTo(409);
  }

  @Test
  void migrationOfAnImageThatIsNotInTheCatalogueIsRefused() {
    UUID source = createAccount(admin, "source", SECRET);
    Api.Response refused = operator.post("/api/v1/migrations",
        Map.of("sourceAccountId", source, "sourceImageId", "img-missing", "targetAccountId", source));
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.json().get("errors").findValuesAsText("field")).containsExactly("sourceImageId");
    assertThat(rowCounts().get("migration")).isZero();
  }

  @Test
  void deletesAnUnusedAccountWithItsCatalogue() {
    UUID id = createAccount(admin, "lab", SECRET);
    operator.get("/api/v1/cloud-accounts/" + id + "/images");

    assertThat(admin.delete("/api/v1/cloud-accounts/" + id).status()).isEqualTo(204);
    assertThat(admin.get("/api/v1/cloud-accounts/" + id).status()).isEqualTo(404);
    assertThat(rowCounts()).containsEntry("cloud_account", 0L).containsEntry("catalogue_image", 0L);
  }

  @Test
  void listsInstalledPluginsWithTheirProperties() {
    JsonNode plugins = operator.get("/api/v1/plugins").json();
    assertThat(plugins.findValuesAsText("id")).contains("fake");
    JsonNode fake = null;
    for (JsonNode plugin : plugins) {
      if (plugin.get("id").asText().equals("fake")) {
        fake = plugin;
      }
    }
    assertThat(fake.get("properties").findValuesAsText("key")).containsExactly("location", "project", "password", "token");
  }

  @Test
  void auditLogRecordsMutationsWithOutcomeAndIsReadableByTenantAdmins() {
    AppUser viewerUser = user(tenants.findByName("acme").orElseThrow(), "vera", Role.VIEWER);
    Api viewer = as(viewerUser);
    UUID id = createAccount(admin, "lab", SECRET);
    viewer.delete("/api/v1/cloud-accounts/" + id);
    admin.post("/api/v1/cloud-accounts", fakeAccount("bad", "wrong-password"));

    Api.Response audit = admin.get("/api/v1/audit");
    assertThat(audit.status()).isEqualTo(200);
    JsonNode items = audit.json().get("items");
    assertThat(items.size()).isEqualTo(3);
    assertThat(items.get(0).get("outcome").asText()).isEqualTo("FAILED");
    assertThat(items.get(0).get("status").asInt()).isEqualTo(422);
    assertThat(items.get(1).get("actor").asText()).isEqualTo("vera");
    assertThat(items.get(1).get("outcome").asText()).isEqualTo("DENIED");
    assertThat(items.get(1).get("action").asText()).isEqualTo("DELETE /api/v1/cloud-accounts/" + id);
    assertThat(items.get(2).get("actor").asText()).isEqualTo("alice");
    assertThat(items.get(2).get("action").asText()).isEqualTo("POST /api/v1/cloud-accounts");
    assertThat(items.get(2).get("target").asText()).isEqualTo("/api/v1/cloud-accounts/" + id);
    assertThat(items.get(2).get("outcome").asText()).isEqualTo("SUCCESS");
    assertThat(audit.body()).doesNotContain(SECRET);

    assertThat(viewer.get("/api/v1/audit").status()).isEqualTo(403);
  }
}
