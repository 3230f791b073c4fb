package io.ferry.systemmanager;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.systemmanager.internal.tenant.Role;
import io.ferry.systemmanager.support.Api;
import io.ferry.systemmanager.support.WorkflowIntegrationTest;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The event stream of migrations the orchestrator does not have: one waiting for approval shows
 * its state at once and stays open, a rejected one ends with an {@code end} event.
 */
class MigrationEventsIT extends WorkflowIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aMigrationWaitingForApprovalStreamsItsStateAndARejectedOneEnds() throws Exception {
    Api admin = as(user(tenant("acme"), "alice", Role.ADMIN));
    UUID source = createAccount(admin, "source", "password-source");
    UUID target = createAccount(admin, "target", "password-target");
    assertThat(admin.post("/api/v1/policies", Map.of("name", "needs-approval", "kind", "APPROVAL",
        "targetAccountIds", List.of(target))).status()).isEqualTo(201);
    UUID waiting = createMigration(admin, source, target);

    HttpResponse<InputStream> stream = admin.raw().send(
        admin.request("GET", "/api/v1/migrations/" + waiting + "/events").header("Accept", "text/event-stream")
            .timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(stream.statusCode()).isEqualTo(200);
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
      String event = null;
      JsonNode data = null;
      for (String line = lines.readLine(); line != null && data == null; line = lines.readLine()) {
        if (line.startsWith("event:")) {
          event = line.substring(6).trim();
        } else if (line.startsWith("data:")) {
          data = JSON.readTree(line.substring(5));
        }
      }
      assertThat(event).isEqualTo("progress");
      assertThat(data.get("state").asText()).isEqualTo("AWAITING_APPROVAL");
    }

    assertThat(admin.post("/api/v1/migrations/" + waiting + "/reject", Map.of("reason", "not now")).status())
        .isEqualTo(200);
    JsonNode end = awaitEnd(admin, waiting.toString());
    assertThat(end.get("state").asText()).isEqualTo("REJECTED");
    assertThat(end.get("errorMessage").asText()).isEqualTo("not now");
  }
}
