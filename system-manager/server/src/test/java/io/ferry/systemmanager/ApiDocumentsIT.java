package io.ferry.systemmanager;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.systemmanager.support.Api;
import io.ferry.systemmanager.support.ApiIntegrationTest;
import org.junit.jupiter.api.Test;

/** The OpenAPI document, health and Prometheus metrics are served without signing in. */
class ApiDocumentsIT extends ApiIntegrationTest {

  @Test
  void openApiDocumentDescribesTheApi() {
    Api.Response response = Api.anonymous(port).get("/v3/api-docs");

    assertThat(response.status()).isEqualTo(200);
    JsonNode document = response.json();
    assertThat(document.get("openapi").asText()).startsWith("3.");
    assertThat(document.get("info").get("title").asText()).isEqualTo("Ferry system manager API");
    assertThat(document.get("components").get("securitySchemes").fieldNames()).toIterable()
        .containsExactlyInAnyOrder("token", "session");
    assertThat(document.get("paths").fieldNames()).toIterable().contains(
        "/api/v1/auth/login", "/api/v1/auth/me", "/api/v1/tokens", "/api/v1/tokens/{id}", "/api/v1/tenants",
        "/api/v1/users/{id}", "/api/v1/cloud-accounts", "/api/v1/cloud-accounts/{id}",
        "/api/v1/cloud-accounts/{id}/images", "/api/v1/cloud-accounts/{id}/images/refresh", "/api/v1/migrations",
        "/api/v1/migrations/{id}", "/api/v1/migrations/{id}/cancel", "/api/v1/audit", "/api/v1/plugins");
    JsonNode list = document.get("paths").get("/api/v1/migrations").get("get");
    assertThat(list.get("parameters").findValuesAsText("name"))
        .contains("state", "sourceAccountId", "targetAccountId", "createdFrom", "createdTo", "page", "size");
    assertThat(document.get("components").get("schemas").has("CloudAccountRequest")).isTrue();
  }

  @Test
  void healthAndPrometheus() {
    Api.Response health = Api.anonymous(port).get("/actuator/health");
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().get("status").asText()).isEqualTo("UP");

    Api.Response metrics = Api.anonymous(port).send(Api.anonymous(port).request("GET", "/actuator/prometheus")
        .header("Accept", "text/plain").GET());
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.body()).contains("jvm_memory_used_bytes").contains("hikaricp_connections");
  }
}
