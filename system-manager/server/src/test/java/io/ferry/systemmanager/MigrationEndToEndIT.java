package io.ferry.systemmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.systemmanager.internal.tenant.Role;
import io.ferry.systemmanager.support.Api;
import io.ferry.systemmanager.support.ApiIntegrationTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A whole migration through the REST API with the real orchestrator in the server (root only: the
 * guest agent loop-mounts the disks): two local cloud accounts with different layers and formats
 * (aws/raw and kvm/qcow2), a GPT + ext4 disk made from the Debian tree fixture with the AWS
 * overlay, progress as server-sent events, the result checked with qemu-img and the agent's detect.
 */
class MigrationEndToEndIT extends ApiIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path directory;

  @DynamicPropertySource
  static void orchestrator(DynamicPropertyRegistry registry) {
    registry.add("ferry.orchestrator.enabled", () -> "true");
    registry.add("ferry.orchestrator.agent-jar", () -> agentJar().toString());
  }

  @Test
  void migratesAnAwsRawImageToKvmQcow2AndStreamsItsProgress() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "loop devices and mounts need root");
    Api admin = as(user(tenant("acme"), "alice", Role.ADMIN));
    Path sourceFolder = Files.createDirectories(directory.resolve("aws/images"));
    Path targetFolder = Files.createDirectories(directory.resolve("kvm/images"));
    gptDisk(directory, sourceFolder.resolve("debian-12-aws.raw"));
    String source = account(admin, "aws-lab", sourceFolder.getParent(), "raw", "aws");
    String target = account(admin, "kvm-lab", targetFolder.getParent(), "qcow2", "kvm");
    Api.Response refreshed = admin.post("/api/v1/cloud-accounts/" + source + "/images/refresh", null);
    assertThat(refreshed.status()).as(refreshed.toString()).isEqualTo(200);

    Api.Response created = admin.post("/api/v1/migrations", Map.of("sourceAccountId", source,
        "sourceImageId", "debian-12-aws.raw", "targetAccountId", target, "options", Map.of("name", "debian-12-kvm")));
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
    assertThat(progress).as("several progress events").hasSizeGreaterThan(3);
    assertThat(progress).anySatisfy(data -> assertThat(data.get("state").asText()).isEqualTo("RUNNING"));

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

  private static String account(Api admin, String name, Path folder, String format, String layer) {
    Api.Response created = admin.post("/api/v1/cloud-accounts", Map.of("pluginId", "local", "name", name,
        "settings", Map.of("directory", folder.toString(), "format", format, "layer", layer)));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    return created.json().get("id").asText();
  }

  private static Path projectRoot() {
    Path current = Path.of("").toAbsolutePath();
    while (current != null && !Files.exists(current.resolve("scripts/test-install.d/20-os-trees.sh"))) {
      current = current.getParent();
    }
    return current;
  }

  private static Path agentJar() {
    return projectRoot().resolve("guest-agent/target/ferry-agent.jar");
  }

  /** A 52 MiB GPT disk: EFI (vfat) and an ext4 root holding the Debian tree with the AWS overlay. */
  private static void gptDisk(Path work, Path disk) throws Exception {
    Path root = projectRoot();
    run(root, "bash", "scripts/test-install.d/20-os-trees.sh");
    Path tree = work.resolve("tree");
    Files.createDirectories(tree);
    run(work, "cp", "-a", root.resolve(".ferry/fixtures/trees/debian") + "/.", tree.toString());
    run(work, "cp", "-a", root.resolve(".ferry/fixtures/overlays/debian-aws") + "/.", tree.toString());
    Path rootFs = work.resolve("root.ext4");
    Path efi = work.resolve("efi.vfat");
    run(work, "mkfs.ext4", "-q", "-F", "-E", "root_owner=0:0", "-d", tree.toString(), rootFs.toString(), "40M");
    run(work, "mkfs.vfat", "-C", efi.toString(), "8192");
    run(work, "truncate", "-s", "52M", disk.toString());
    Path script = work.resolve("layout.sfdisk");
    Files.writeString(script, "label: gpt\n"
        + disk + "1 : start=22528, size=81920, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n"
        + disk + "15 : start=2048, size=16384, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n");
    run(work, "sh", "-c", "sfdisk -q '" + disk + "' < '" + script + "'");
    run(work, "dd", "if=" + rootFs, "of=" + disk, "bs=512", "seek=22528", "conv=notrunc,sparse", "status=none");
    run(work, "dd", "if=" + efi, "of=" + disk, "bs=512", "seek=2048", "conv=notrunc", "status=none");
  }

  private static String run(Path directory, String... command) throws Exception {
    Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
    return output;
  }
}
