package io.ferry.systemmanager;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.systemmanager.internal.tenant.Role;
import io.ferry.systemmanager.internal.tenant.Tenant;
import io.ferry.systemmanager.support.Api;
import io.ferry.systemmanager.support.ApiIntegrationTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Captures every log line (with debug logging of Ferry, Spring web and security, and SQL) during
 * a full create, use, update and delete cycle of a cloud account, and finds no secret in them.
 */
@ExtendWith(OutputCaptureExtension.class)
class SecretLoggingIT extends ApiIntegrationTest {

  private static final String SECRET = "Log-Canary-7f3a9c-secret";
  private static final String NEW_SECRET = "Log-Canary-b81e2d-rotated";
  private static final String REFUSED_SECRET = "wrong-Log-Canary-44d0aa";
  private static final String TOKEN_SECRET = "Log-Canary-token-55e1";
  private static final String UNQUOTED_SECRET = "LogCanaryUnquoted9c1";
  private static final List<String> LOGGERS =
      List.of("io.ferry", "org.springframework.web", "org.springframework.security", "org.hibernate.SQL",
          "org.hibernate.orm.jdbc.bind");

  @Autowired LoggingSystem loggingSystem;

  @BeforeEach
  void verbose() {
    LOGGERS.forEach(logger -> loggingSystem.setLogLevel(logger, LogLevel.TRACE));
  }

  @AfterEach
  void quiet() {
    LOGGERS.forEach(logger -> loggingSystem.setLogLevel(logger, null));
  }

  @Test
  void noSecretReachesTheLogs(CapturedOutput output) {
    Tenant tenant = tenant("acme");
    Api admin = as(user(tenant, "alice", Role.ADMIN));

    Map<String, Object> body = fakeAccount("lab", SECRET);
    body.put("secrets", Map.of("password", SECRET, "token", TOKEN_SECRET));
    Api.Response created = admin.post("/api/v1/cloud-accounts", body);
    assertThat(created.status()).isEqualTo(201);
    UUID id = UUID.fromString(created.json().get("id").asText());
    assertThat(admin.get("/api/v1/cloud-accounts/" + id).status()).isEqualTo(200);
    assertThat(admin.get("/api/v1/cloud-accounts/" + id + "/images").status()).isEqualTo(200);
    assertThat(admin.post("/api/v1/cloud-accounts/" + id + "/images/refresh", null).status()).isEqualTo(200);
    UUID migration = createMigration(admin, id, id);
    assertThat(admin.post("/api/v1/migrations/" + migration + "/cancel", null).status()).isEqualTo(200);

    Map<String, Object> refused = fakeAccount("lab", REFUSED_SECRET);
    assertThat(admin.put("/api/v1/cloud-accounts/" + id, refused).status()).isEqualTo(422);
    Map<String, Object> rotated = fakeAccount("lab", NEW_SECRET);
    assertThat(admin.put("/api/v1/cloud-accounts/" + id, rotated).status()).isEqualTo(200);
    Map<String, Object> malformed = fakeAccount("lab", SECRET);
    malformed.put("unknownField", SECRET);
    assertThat(admin.post("/api/v1/cloud-accounts", malformed).status()).isEqualTo(400);
    String unquoted = "{\"pluginId\": \"fake\", \"name\": \"x\", \"secrets\": {\"password\": " + UNQUOTED_SECRET + "}}";
    assertThat(admin.post("/api/v1/cloud-accounts", unquoted).status()).isEqualTo(400);
    String truncated = "{\"pluginId\": \"fake\", \"secrets\": {\"password\": \"" + UNQUOTED_SECRET;
    assertThat(admin.post("/api/v1/cloud-accounts", truncated).status()).isEqualTo(400);

    jdbc.update("delete from migration_step");
    jdbc.update("delete from migration");
    assertThat(admin.delete("/api/v1/cloud-accounts/" + id).status()).isEqualTo(204);

    String logs = output.getAll();
    assertThat(logs).contains("cloud account " + id + " (fake) created").contains("cloud account " + id + " deleted");
    assertThat(logs).as("debug logging was on").contains("insert into cloud_account");
    for (String secret : List.of(SECRET, NEW_SECRET, REFUSED_SECRET, TOKEN_SECRET, UNQUOTED_SECRET, "Log-Canary", "LogCanary")) {
      assertThat(logs).doesNotContain(secret);
    }
  }
}
