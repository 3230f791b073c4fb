package io.ferry.systemmanager;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.systemmanager.internal.tenant.Role;
import io.ferry.systemmanager.support.Api;
import io.ferry.systemmanager.support.ApiIntegrationTest;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real local cloud plugin (plugin-local) behind the API: account, catalogue, migration. */
class LocalCloudIT extends ApiIntegrationTest {

  @TempDir Path directory;

  @Test
  void localAccountListsItsImagesAndMigratesOne() throws IOException {
    Api admin = as(user(tenant("acme"), "alice", Role.ADMIN));
    Api.Response created = admin.post("/api/v1/cloud-accounts",
        Map.of("pluginId", "local", "name", "lab", "settings", Map.of("directory", directory.toString())));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    String id = created.json().get("id").asText();

    Path images = Files.createDirectories(directory.resolve("images"));
    try (RandomAccessFile image = new RandomAccessFile(images.resolve("debian-12.raw").toFile(), "rw")) {
      image.setLength(4L << 20);
    }
    Api.Response listed = admin.post("/api/v1/cloud-accounts/" + id + "/images/refresh", null);
    assertThat(listed.status()).as(listed.toString()).isEqualTo(200);
    JsonNode image = listed.json().get(0);
    assertThat(image.get("id").asText()).isEqualTo("debian-12.raw");
    assertThat(image.get("virtualSize").asLong()).isEqualTo(4L << 20);

    Api.Response migration = admin.post("/api/v1/migrations",
        Map.of("sourceAccountId", id, "sourceImageId", "debian-12.raw", "targetAccountId", id));
    assertThat(migration.status()).as(migration.toString()).isEqualTo(201);
    assertThat(migration.json().get("state").asText()).isEqualTo("QUEUED");
  }

  @Test
  void localAccountRefusesUnknownSettings() {
    Api admin = as(user(tenant("acme"), "alice", Role.ADMIN));
    Api.Response refused = admin.post("/api/v1/cloud-accounts", Map.of("pluginId", "local", "name", "lab",
        "settings", Map.of("directory", directory.toString(), "colour", "blue")));
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.json().get("errors").findValuesAsText("field")).containsExactly("settings.colour");
  }
}
