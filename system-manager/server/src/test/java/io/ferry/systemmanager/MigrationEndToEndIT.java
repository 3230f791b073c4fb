package io.ferry.systemmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.systemmanager.internal.tenant.Role;
import io.ferry.systemmanager.support.Api;
import io.ferry.systemmanager.support.WorkflowIntegrationTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole migration through the REST API with the real orchestrator in the server (root only: the
 * guest agent loop-mounts the disks): two local cloud accounts with different layers and formats
 * (aws/raw and kvm/qcow2), a GPT + ext4 disk made from the Debian tree fixture with the AWS
 * overlay, progress as server-sent events, the result checked with qemu-img and the agent's detect.
 */
class MigrationEndToEndIT extends WorkflowIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path directory;

  @Test
  void migratesAnAwsRawImageToKvmQcow2AndStreamsItsProgress() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "loop devices and mounts need root");
    assumeTrue(workflowRuns(), "the real migration workflow is not in this server");
    Api admin = as(user(tenant("acme"), "alice", Role.ADMIN));
    Path sourceFolder = Files.createDirectories(directory.resolve("aws/images"));
    Path targetFolder = Files.createDirectories(directory.resolve("kvm/images"));
    sampleDisk(Files.createDirectories(directory.resolve("work")), sourceFolder.resolve("debian-12-aws.raw"));
    String source = localAccount(admin, "aws-lab", sourceFolder.getParent(), "raw", "aws");
    String target = localAccount(admin, "kvm-lab", targetFolder.getParent(), "qcow2", "kvm");
    Api.Response refreshed = admin.post("/api/v1/cloud-accounts/" + source + "/images/refresh", null);
    assertThat(refreshed.status()).as(refreshed.toString()).isEqualTo(200);

    // The option as the dashboard and the CLI send it (the API also takes "name").
    Api.Response created = admin.post("/api/v1/migrations", Map.of("sourceAccountId", source,
        "sourceImageId", "debian-12-aws.raw", "targetAccountId", target, "options", Map.of("targetImageName", "debian-12-kvm")));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    String id = created.json().get("id").asText();

    Api.Response stream = admin.send(admin.request("GET", "/api/v1/migrations/" + id + "/events")
        .header("Accept", "text/event-stream"));
    assertThat(stream.status()).isEqualTo(200);
    assertThat(stream.contentType()).startsWith("text/event-stream");
    List<JsonNode> progress = new ArrayList<>();
    JsonNode end = null;
    String event = null;
    for (String line : stream.body().split("\n")) {
      if (line.startsWith("event:")) {
        event = line.substring(6).trim();
      } else if (line.startsWith("data:")) {
        JsonNode data = JSON.readTree(line.substring(5));
        if ("end".equals(event)) {
          end = data;
        } else {
          progress.add(data);
        }
      }
    }
    assertThat(end).as(stream.body()).isNotNull();
    assertThat(end.get("state").asText()).as(end.toString()).isEqualTo("SUCCEEDED");
    // The stream samples the job every half second: a fast migration shows few steps, but always
    // some, in the workflow's order.
    assertThat(progress).as("progress events").isNotEmpty();
    assertThat(progress).anySatisfy(data -> assertThat(data.get("state").asText()).isEqualTo("RUNNING"));
    List<Integer> steps = new ArrayList<>();
    for (JsonNode data : progress) {
      if (data.hasNonNull("currentStep")) {
        steps.add(io.ferry.orchestrator.StepName.valueOf(data.get("currentStep").asText()).ordinal());
      }
    }
    assertThat(steps).as(progress.toString()).isSorted();

    JsonNode migration = admin.get("/api/v1/migrations/" + id).json();
    assertThat(migration.get("state").asText()).as(migration.toString()).isEqualTo("SUCCEEDED");
    assertThat(migration.get("progressPercent").asInt()).isEqualTo(100);
    assertThat(migration.get("steps").findValuesAsText("state")).containsOnly("DONE");

    Path image = targetFolder.resolve("debian-12-kvm.qcow2");
    assertThat(image).isRegularFile();
    JsonNode info = JSON.readTree(run(directory, "qemu-img", "info", "--output=json", image.toString()));
    assertThat(info.get("format").asText()).isEqualTo("qcow2");
    run(directory, "qemu-img", "check", image.toString());
    Path scratch = Files.createDirectories(directory.resolve("detect"));
    String detected = run(directory, "java", "-jar", agentJar().toString(), "detect", "--image", image.toString(),
        "--output", "json", "--scratch", scratch.toString());
    List<String> layers = new ArrayList<>();
    JSON.readTree(detected.substring(detected.indexOf('{'))).get("layers").forEach(layer -> {
      if (layer.get("present").asBoolean()) {
        layers.add(layer.get("cloud").asText());
      }
    });
    assertThat(layers).containsExactly("kvm");
    try (var leftovers = Files.list(targetFolder.getParent().resolve("uploads"))) {
      assertThat(leftovers.toList()).isEmpty();
    }
  }

  private static Path agentJar() {
    return projectRoot().resolve("guest-agent/target/ferry-agent.jar");
  }

  private static String run(Path directory, String... command) throws Exception {
    Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
    return output;
  }
}
