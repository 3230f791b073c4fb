package io.ferry.systemmanager.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.orchestrator.MigrationOrchestrator;
import io.ferry.orchestrator.RecordingMigrationOrchestrator;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the tests of what users touch (dashboard, CLI) with the real migration workflow in the
 * server ({@code ferry.orchestrator.enabled}); subclasses share one Spring context. Where the
 * server still has only the recording stand-in, {@link #workflowRuns()} says so and the tests
 * check what the API shows instead.
 */
public abstract class WorkflowIntegrationTest extends ApiIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Autowired protected MigrationOrchestrator orchestrator;

  @DynamicPropertySource
  static void workflow(DynamicPropertyRegistry registry) {
    registry.add("ferry.orchestrator.enabled", () -> "true");
    registry.add("ferry.orchestrator.agent-jar", () -> projectRoot().resolve("guest-agent/target/ferry-agent.jar").toString());
  }

  /** Whether migrations really run here (not only recorded). */
  protected boolean workflowRuns() {
    return !(orchestrator instanceof RecordingMigrationOrchestrator);
  }

  /** The repository's root. */
  protected static Path projectRoot() {
    Path current = Path.of("").toAbsolutePath();
    while (current != null && !Files.exists(current.resolve("scripts/test-install.d"))) {
      current = current.getParent();
    }
    if (current == null) {
      throw new IllegalStateException("not inside the Ferry repository: " + Path.of("").toAbsolutePath());
    }
    return current;
  }

  /** Creates a local cloud account over the API and returns its id. */
  protected static String localAccount(Api admin, String name, Path folder, String format, String layer) {
    Api.Response created = admin.post("/api/v1/cloud-accounts", Map.of("pluginId", "local", "name", name,
        "settings", Map.of("directory", folder.toString(), "format", format, "layer", layer)));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    return created.json().get("id").asText();
  }

  /** Reads the migration's event stream until its end event (the server closes it then). */
  protected static JsonNode awaitEnd(Api admin, String id) throws IOException {
    Api.Response stream = admin.send(admin.request("GET", "/api/v1/migrations/" + id + "/events")
        .header("Accept", "text/event-stream"));
    assertThat(stream.status()).as(stream.toString()).isEqualTo(200);
    String event = null;
    for (String line : stream.body().split("\n")) {
      if (line.startsWith("event:")) {
        event = line.substring(6).trim();
      } else if (line.startsWith("data:") && "end".equals(event)) {
        return JSON.readTree(line.substring(5));
      }
    }
    throw new AssertionError("no end event: " + stream.body());
  }

  /** The result (for STRIP and INJECT the agent's change report) of the named step. */
  protected static JsonNode stepResult(JsonNode report, String step) {
    List<JsonNode> results = new ArrayList<>();
    report.get("steps").forEach(candidate -> {
      if (step.equals(candidate.get("name").asText())) {
        results.add(candidate.get("result"));
      }
    });
    assertThat(results).as(report.toString()).hasSize(1);
    assertThat(results.get(0)).as(step + " has no result: " + report).isNotNull();
    return results.get(0);
  }

  /** A raw disk of zeros: no partition table, no file system; a migration of it fails. */
  protected static void blankDisk(Path disk, long size) throws IOException {
    try (RandomAccessFile file = new RandomAccessFile(disk.toFile(), "rw")) {
      file.setLength(size);
    }
  }

  /**
   * A 52 MiB GPT disk with an EFI partition and an ext4 root holding the Debian tree fixture with
   * the AWS overlay (scripts/test-install.d/20-os-trees.sh), which a migration can strip and inject.
   */
  protected static void sampleDisk(Path work, Path disk) throws IOException, InterruptedException {
    Path root = projectRoot();
    run(root, "bash", "scripts/test-install.d/20-os-trees.sh");
    Path tree = Files.createDirectories(work.resolve("tree"));
    run(work, "cp", "-a", root.resolve(".ferry/fixtures/trees/debian") + "/.", tree.toString());
    run(work, "cp", "-a", root.resolve(".ferry/fixtures/overlays/debian-aws") + "/.", tree.toString());
    Path rootFileSystem = work.resolve("root.ext4");
    Path efi = work.resolve("efi.vfat");
    run(work, "mkfs.ext4", "-q", "-F", "-E", "root_owner=0:0", "-d", tree.toString(), rootFileSystem.toString(), "40M");
    run(work, "mkfs.vfat", "-C", efi.toString(), "8192");
    run(work, "truncate", "-s", "52M", disk.toString());
    Path layout = work.resolve("layout.sfdisk");
    Files.writeString(layout, "label: gpt\n"
        + disk + "1 : start=22528, size=81920, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n"
        + disk + "15 : start=2048, size=16384, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n");
    run(work, "sh", "-c", "sfdisk -q '" + disk + "' < '" + layout + "'");
    run(work, "dd", "if=" + rootFileSystem, "of=" + disk, "bs=512", "seek=22528", "conv=notrunc,sparse", "status=none");
    run(work, "dd", "if=" + efi, "of=" + disk, "bs=512", "seek=2048", "conv=notrunc", "status=none");
  }

  private static void run(Path directory, String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
    }
  }
}
