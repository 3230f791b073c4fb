package io.ferry.systemmanager;

import io.ferry.standardization.testing.MotoServer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.systemmanager.internal.tenant.Role;
import io.ferry.systemmanager.support.Api;
import io.ferry.systemmanager.support.WorkflowIntegrationTest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An AWS round trip through the REST API with the real orchestrator (root only: the guest agent
 * loop-mounts the disks) against a moto server started here on loopback through
 * {@code faithful_moto.py} (moto keeping what EC2 keeps on RegisterImage). A GPT disk in a local
 * account is migrated into the aws account: the AMI is listed with its job tag and the agent's
 * INJECT report shows the aws layer added. That AMI is then migrated back into a local qcow2
 * folder: the STRIP report shows the downloaded disk carried only the aws layer, and the qcow2 is
 * clean per {@code qemu-img check}. Skipped, saying why, when moto is not installed in
 * {@code .ferry/venv} (scripts/test-requirements.txt).
 */
class AwsMigrationEndToEndIT extends WorkflowIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path directory;

  @Test
  void migratesALocalDiskIntoAnAmiAndTheAmiBackIntoAQcow2() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "loop devices and mounts need root");
    assumeTrue(MotoServer.executable().isPresent(),
        "moto is not installed (.ferry/venv/bin/moto_server): run scripts/test.sh to install scripts/test-requirements.txt");
    assumeTrue(workflowRuns(), "the real migration workflow is not in this server");
    Api admin = as(user(tenant("acme"), "alice", Role.ADMIN));
    Path sourceFolder = Files.createDirectories(directory.resolve("kvm/images"));
    Path disk = sourceFolder.resolve("debian-12.raw");
    sampleDisk(directory, disk);
    long sampleSize = Files.size(disk);
    assertThat(sampleSize % (1L << 30)).as("the sample is not a whole number of GiB").isNotZero();
    // No sidecar names the architecture: the agent finds it in the disk's binaries (STRIP), and
    // REGISTER takes it from the bundle's manifest.
    String source = localAccount(admin, "kvm-lab", sourceFolder.getParent(), "raw", "kvm");
    Api.Response refreshed = admin.post("/api/v1/cloud-accounts/" + source + "/images/refresh", null);
    assertThat(refreshed.status()).as(refreshed.toString()).isEqualTo(200);

    try (MotoServer moto = MotoServer.start(directory.resolve("moto"), Map.of())) {
      Api.Response aws = admin.post("/api/v1/cloud-accounts", Map.of("pluginId", "aws", "name", "aws-lab",
          "region", "us-east-1", "endpoint", moto.endpoint().toString(),
          "settings", Map.of("pollIntervalMillis", "100", "waitTimeoutSeconds", "120"),
          "secrets", Map.of("accessKeyId", "AKIAFERRYTEST", "secretAccessKey", "ferry-test-secret")));
      assertThat(aws.status()).as(aws.toString()).isEqualTo(201);
      String target = aws.json().get("id").asText();

      // Local raw disk → AMI.
      Api.Response created = admin.post("/api/v1/migrations", Map.of("sourceAccountId", source,
          "sourceImageId", "debian-12.raw", "targetAccountId", target, "options", Map.of("name", "debian-12-aws")));
      assertThat(created.status()).as(created.toString()).isEqualTo(201);
      String id = created.json().get("id").asText();
      JsonNode end = awaitEnd(admin, id);
      JsonNode report = admin.get("/api/v1/migrations/" + id + "/report").json();
      assertThat(end.get("state").asText()).as(report.toString()).isEqualTo("SUCCEEDED");
      JsonNode migration = admin.get("/api/v1/migrations/" + id).json();
      assertThat(migration.get("state").asText()).as(migration.toString()).isEqualTo("SUCCEEDED");
      assertThat(migration.get("steps").findValuesAsText("state")).containsOnly("DONE");

      JsonNode inject = stepResult(report, "INJECT");
      assertThat(inject.get("operation").asText()).isEqualTo("inject");
      assertThat(inject.get("cloud").asText()).isEqualTo("aws");
      assertThat(changes(inject)).as(inject.toString()).contains("CREATED /etc/cloud/cloud.cfg.d/99_ferry-aws.cfg");
      assertThat(stepResult(report, "STRIP").at("/system/architecture").asText()).isEqualTo("x86_64");
      // EBS snapshots come in whole GiB: VERIFY hashes the uploaded disk's bytes and finds zeros past them.
      JsonNode verify = stepResult(report, "VERIFY");
      assertThat(verify.get("actual").asText()).as(verify.toString()).isEqualTo(verify.get("expected").asText());
      assertThat(verify.get("virtualSize").asLong()).isEqualTo(sampleSize);
      assertThat(verify.get("paddingBytes").asLong()).isEqualTo((1L << 30) - sampleSize);
      assertThat(reasons(inject, "/etc/cloud/cloud.cfg.d/99_ferry-aws.cfg")).contains("inject aws: cloud-init datasource");

      String imageId = report.get("resultImageId").asText();
      assertThat(imageId).as(report.toString()).startsWith("ami-");
      Api.Response images = admin.post("/api/v1/cloud-accounts/" + target + "/images/refresh", null);
      assertThat(images.status()).as(images.toString()).isEqualTo(200);
      assertThat(images.json()).as(images.toString()).anySatisfy(image -> {
        assertThat(image.get("id").asText()).isEqualTo(imageId);
        assertThat(image.at("/tags/ferry:job-id").asText()).isEqualTo(id);
        assertThat(image.get("architecture").asText()).isEqualTo("X86_64");
      });

      // The AMI → a local kvm-layered qcow2 folder.
      Path backFolder = Files.createDirectories(directory.resolve("back/images"));
      String back = localAccount(admin, "kvm-copy", backFolder.getParent(), "qcow2", "kvm");
      Api.Response copied = admin.post("/api/v1/migrations", Map.of("sourceAccountId", target,
          "sourceImageId", imageId, "targetAccountId", back, "options", Map.of("name", "debian-12-from-aws")));
      assertThat(copied.status()).as(copied.toString()).isEqualTo(201);
      String copyId = copied.json().get("id").asText();
      JsonNode copyEnd = awaitEnd(admin, copyId);
      JsonNode copyReport = admin.get("/api/v1/migrations/" + copyId + "/report").json();
      assertThat(copyEnd.get("state").asText()).as(copyReport.toString()).isEqualTo("SUCCEEDED");
      JsonNode detected = stepResult(copyReport, "STRIP").get("system");
      List<String> layers = new ArrayList<>();
      detected.get("layers").forEach(layer -> {
        if (layer.get("present").asBoolean()) {
          layers.add(layer.get("cloud").asText());
        }
      });
      assertThat(layers).as(detected.toString()).containsExactly("aws");
      // The datasource the first migration injected (Ec2) is what cloud-init reads in the AMI.
      assertThat(detected.at("/cloudInit/datasourceListFile").asText()).as(detected.toString())
          .isEqualTo("/etc/cloud/cloud.cfg.d/99_ferry-aws.cfg");
      assertThat(detected.at("/cloudInit/datasourceList")).as(detected.toString()).anySatisfy(
          datasource -> assertThat(datasource.asText()).isEqualTo("Ec2"));

      Path image = backFolder.resolve("debian-12-from-aws.qcow2");
      assertThat(image).isRegularFile();
      JsonNode info = JSON.readTree(run(directory, "qemu-img", "info", "--output=json", image.toString()));
      assertThat(info.get("format").asText()).isEqualTo("qcow2");
      // The AMI's disk is the snapshot's whole GiB; the copy keeps all of it.
      assertThat(info.get("virtual-size").asLong()).isEqualTo(1L << 30);
      run(directory, "qemu-img", "check", image.toString());
    }
  }

  /** The changes of an agent report as "ACTION path". */
  private static List<String> changes(JsonNode agentReport) {
    List<String> changes = new ArrayList<>();
    agentReport.get("changes").forEach(change ->
        changes.add(change.get("action").asText() + " " + change.get("path").asText()));
    return changes;
  }

  /** The reasons the agent gave for its changes of one path, joined. */
  private static String reasons(JsonNode agentReport, String path) {
    StringBuilder reasons = new StringBuilder();
    agentReport.get("changes").forEach(change -> {
      if (path.equals(change.get("path").asText())) {
        reasons.append(change.get("reason").asText()).append('\n');
      }
    });
    return reasons.toString();
  }

  private static String run(Path directory, String... command) throws Exception {
    Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
    return output;
  }
}
