package io.ferry.systemmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.systemmanager.internal.tenant.Role;
import io.ferry.systemmanager.support.Api;
import io.ferry.systemmanager.support.WorkflowIntegrationTest;
import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
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
 * The patent's own example through the REST API with the real orchestrator (root only: the guest
 * agent loop-mounts the disk): an AWS-layered GPT disk in a local cloud account migrated into a
 * vSphere content library served by vcsim (govmomi's simulator, started here on loopback with an
 * openssl-made certificate and a fixed password). The agent's report must show the AWS layer
 * stripped and the vSphere layer injected; the library item must be listed by the vSphere account,
 * and, exported back through a second migration into a local folder, be found by the agent with
 * only the vSphere layer (VMware datasource, open-vm-tools enabled).
 * Skipped, saying why, when vcsim is not installed (scripts/test-install.d/40-vcsim.sh).
 */
class VsphereMigrationEndToEndIT extends WorkflowIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String USERNAME = "ferry";
  private static final String PASSWORD = "vcsim-Passw0rd!";

  @TempDir Path directory;

  @Test
  void migratesAnAwsImageIntoAVsphereContentLibraryTemplate() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "loop devices and mounts need root");
    Path vcsimBinary = vcsimBinary();
    assumeTrue(vcsimBinary != null,
        "vcsim is not installed (.ferry/bin/vcsim): run scripts/test-install.d/40-vcsim.sh to install it");
    assumeTrue(workflowRuns(), "the real migration workflow is not in this server");
    Api admin = as(user(tenant("acme"), "alice", Role.ADMIN));
    Path sourceFolder = Files.createDirectories(directory.resolve("aws/images"));
    sampleDisk(directory, sourceFolder.resolve("debian-12-aws.raw"));
    Api.Response local = admin.post("/api/v1/cloud-accounts", Map.of("pluginId", "local", "name", "aws-lab",
        "settings", Map.of("directory", sourceFolder.getParent().toString(), "format", "raw", "layer", "aws")));
    assertThat(local.status()).as(local.toString()).isEqualTo(201);
    String source = local.json().get("id").asText();
    Api.Response refreshed = admin.post("/api/v1/cloud-accounts/" + source + "/images/refresh", null);
    assertThat(refreshed.status()).as(refreshed.toString()).isEqualTo(200);

    Process vcsim = null;
    try {
      Path vcsimFolder = Files.createDirectories(directory.resolve("vcsim"));
      String certificate = certificate(vcsimFolder);
      int port = freePort();
      vcsim = startVcsim(vcsimBinary, vcsimFolder, port);
      Api.Response vsphere = admin.post("/api/v1/cloud-accounts", Map.of("pluginId", "vsphere", "name", "vsphere-lab",
          "settings", Map.of("url", "https://127.0.0.1:" + port, "username", USERNAME, "datacenter", "DC0",
              "datastore", "LocalDS_0", "contentLibrary", "ferry-e2e", "trustedCertificate", certificate),
          "secrets", Map.of("password", PASSWORD)));
      assertThat(vsphere.status()).as(vsphere.toString()).isEqualTo(201);
      String target = vsphere.json().get("id").asText();

      Api.Response created = admin.post("/api/v1/migrations", Map.of("sourceAccountId", source,
          "sourceImageId", "debian-12-aws.raw", "targetAccountId", target, "options", Map.of("name", "debian-12-vsphere")));
      assertThat(created.status()).as(created.toString()).isEqualTo(201);
      String id = created.json().get("id").asText();
      JsonNode end = awaitEnd(admin, id);
      JsonNode report = admin.get("/api/v1/migrations/" + id + "/report").json();
      assertThat(end.get("state").asText()).as(report.toString()).isEqualTo("SUCCEEDED");
      JsonNode migration = admin.get("/api/v1/migrations/" + id).json();
      assertThat(migration.get("state").asText()).as(migration.toString()).isEqualTo("SUCCEEDED");
      assertThat(migration.get("steps").findValuesAsText("state")).containsOnly("DONE");

      JsonNode strip = stepResult(report, "STRIP");
      assertThat(strip.get("operation").asText()).isEqualTo("strip");
      assertThat(strip.get("cloud").asText()).isEqualTo("aws");
      assertThat(strip.at("/system/cloudInit/datasourceList")).as("before the strip").anySatisfy(
          datasource -> assertThat(datasource.asText()).isEqualTo("Ec2"));
      assertThat(changes(strip)).contains(
          "SYMLINK_REMOVED /etc/systemd/system/multi-user.target.wants/amazon-ssm-agent.service",
          "SYMLINK_CREATED /etc/systemd/system/amazon-ssm-agent.service -> /dev/null",
          "REMOVED /etc/amazon/ssm/amazon-ssm-agent.json",
          "MODIFIED /etc/cloud/cloud.cfg.d/90_dpkg.cfg");
      assertThat(reasons(strip, "/etc/cloud/cloud.cfg.d/90_dpkg.cfg")).contains("datasource");

      JsonNode inject = stepResult(report, "INJECT");
      assertThat(inject.get("operation").asText()).isEqualTo("inject");
      assertThat(inject.get("cloud").asText()).isEqualTo("vsphere");
      assertThat(inject.at("/system/cloudInit/datasourceList")).as("after the strip").isNotEmpty().noneSatisfy(
          datasource -> assertThat(datasource.asText()).isEqualTo("Ec2"));
      assertThat(changes(inject)).contains(
          "CREATED /etc/cloud/cloud.cfg.d/99_ferry-vsphere.cfg",
          "SYMLINK_CREATED /etc/systemd/system/multi-user.target.wants/open-vm-tools.service"
              + " -> /lib/systemd/system/open-vm-tools.service");
      assertThat(reasons(inject, "/etc/cloud/cloud.cfg.d/99_ferry-vsphere.cfg")).contains("cloud-init datasource");
      assertThat(reasons(inject, "/etc/systemd/system/multi-user.target.wants/open-vm-tools.service"))
          .contains("open-vm-tools enabled");
      assertThat(stepResult(report, "VERIFY").get("format").asText()).isEqualTo("vmdk-streamOptimized");

      String imageId = report.get("resultImageId").asText();
      assertThat(imageId).as(report.toString()).isNotBlank();
      Api.Response images = admin.post("/api/v1/cloud-accounts/" + target + "/images/refresh", null);
      assertThat(images.status()).as(images.toString()).isEqualTo(200);
      assertThat(images.json()).as(images.toString()).anySatisfy(image -> {
        assertThat(image.get("id").asText()).isEqualTo(imageId);
        assertThat(image.get("name").asText()).isEqualTo("debian-12-vsphere");
        assertThat(image.get("format").asText()).isEqualTo("VMDK_STREAM_OPTIMIZED");
        assertThat(image.get("cloudLayer").asText()).isEqualTo("vsphere");
        assertThat(image.get("virtualSize").asLong()).isEqualTo(52L << 20);
        assertThat(image.at("/tags/ferry:job-id").asText()).isEqualTo(id);
      });

      // Back through the API: the template exported from vcsim into a local vSphere-layered folder;
      // the agent's STRIP report of that migration describes the template as downloaded.
      Path backFolder = Files.createDirectories(directory.resolve("back/images"));
      Api.Response back = admin.post("/api/v1/cloud-accounts", Map.of("pluginId", "local", "name", "vsphere-copy",
          "settings", Map.of("directory", backFolder.getParent().toString(), "format", "raw", "layer", "vsphere")));
      assertThat(back.status()).as(back.toString()).isEqualTo(201);
      Api.Response copied = admin.post("/api/v1/migrations", Map.of("sourceAccountId", target,
          "sourceImageId", imageId, "targetAccountId", back.json().get("id").asText(),
          "options", Map.of("name", "debian-12-from-vsphere")));
      assertThat(copied.status()).as(copied.toString()).isEqualTo(201);
      String copyId = copied.json().get("id").asText();
      JsonNode copyEnd = awaitEnd(admin, copyId);
      assertThat(copyEnd.get("state").asText())
          .as(admin.get("/api/v1/migrations/" + copyId + "/report").toString()).isEqualTo("SUCCEEDED");
      assertThat(backFolder.resolve("debian-12-from-vsphere.raw")).isRegularFile();
      // What the agent found in the template downloaded from vcsim, before it touched anything.
      JsonNode copyReport = admin.get("/api/v1/migrations/" + copyId + "/report").json();
      assertThat(stepResult(copyReport, "PLAN").get("sourceFormat").asText()).isEqualTo("vmdk-streamOptimized");
      JsonNode detected = stepResult(copyReport, "STRIP").get("system");
      List<String> layers = new ArrayList<>();
      detected.get("layers").forEach(layer -> {
        if (layer.get("present").asBoolean()) {
          layers.add(layer.get("cloud").asText());
        }
      });
      assertThat(layers).as(detected.toString()).containsExactly("vsphere");
      assertThat(detected.at("/cloudInit/datasourceList").toString()).isEqualTo("[\"VMware\",\"OVF\",\"None\"]");
      assertThat(detected.at("/cloudInit/datasourceListFile").asText()).isEqualTo("/etc/cloud/cloud.cfg.d/99_ferry-vsphere.cfg");
      assertThat(detected.get("agents")).anySatisfy(agent -> {
        assertThat(agent.get("packageName").asText()).isEqualTo("open-vm-tools");
        assertThat(agent.at("/units/open-vm-tools.service").asText()).isEqualTo("enabled");
      });
    } finally {
      if (vcsim != null) {
        vcsim.destroy();
        if (!vcsim.waitFor(20, TimeUnit.SECONDS)) {
          vcsim.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        }
      }
    }
  }

  /** The changes of an agent report as "ACTION path" (with " -> target" for created links). */
  private static List<String> changes(JsonNode agentReport) {
    List<String> changes = new ArrayList<>();
    agentReport.get("changes").forEach(change -> changes.add(change.get("action").asText() + " "
        + change.get("path").asText()
        + (change.hasNonNull("linkTargetAfter") ? " -> " + change.get("linkTargetAfter").asText() : "")));
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

  /** {@code <repo>/.ferry/bin/vcsim}, or null when it is not installed. */
  private static Path vcsimBinary() {
    Path binary = projectRoot().resolve(".ferry/bin/vcsim");
    if (Files.isExecutable(binary)) {
      return binary;
    }
    for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(entry, "vcsim");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  /** Makes vcsim's self-signed loopback certificate and key with openssl; returns the PEM. */
  private static String certificate(Path folder) throws Exception {
    Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
        "-keyout", folder.resolve("vcsim.key").toString(), "-out", folder.resolve("vcsim.pem").toString(),
        "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost")
        .redirectErrorStream(true).redirectOutput(folder.resolve("openssl.log").toFile()).start();
    assertThat(openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0)
        .as("openssl: %s", Files.readString(folder.resolve("openssl.log"))).isTrue();
    return Files.readString(folder.resolve("vcsim.pem"));
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Starts vcsim on the loopback port and waits until it prints its GOVC_URL (it listens then). */
  private static Process startVcsim(Path binary, Path folder, int port) throws Exception {
    Path log = folder.resolve("vcsim.log");
    Process process = new ProcessBuilder(binary.toString(), "-l", "127.0.0.1:" + port,
        "-tlscert", folder.resolve("vcsim.pem").toString(), "-tlskey", folder.resolve("vcsim.key").toString(),
        "-username", USERNAME, "-password", PASSWORD)
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!Files.readString(log).contains("GOVC_URL")) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        throw new AssertionError("vcsim did not start: " + Files.readString(log));
      }
      Thread.sleep(100); // waiting for an external process, no clock to inject
    }
    return process;
  }
}
