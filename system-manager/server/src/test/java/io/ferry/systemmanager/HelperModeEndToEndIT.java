package io.ferry.systemmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.orchestrator.AgentChannel;
import io.ferry.orchestrator.MigrationStatus;
import io.ferry.orchestrator.Orchestrator;
import io.ferry.orchestrator.StepName;
import io.ferry.systemmanager.internal.tenant.AppUser;
import io.ferry.systemmanager.internal.tenant.Role;
import io.ferry.systemmanager.internal.tenant.Tenant;
import io.ferry.systemmanager.support.Api;
import io.ferry.systemmanager.support.WorkflowIntegrationTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Helper mode end to end through the REST API, with the real orchestrator in the server: the local
 * cloud's helper is a separate guest-agent process ({@code ferry-agent daemon}) that talks HTTP to
 * this server with its job token, restores the bundle onto a volume, injects the target layer and
 * hashes the volume; the volume is then registered. Root only (the agent loop-mounts the volume).
 */
@ExtendWith(OutputCaptureExtension.class)
class HelperModeEndToEndIT extends WorkflowIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long ROOT_OFFSET = 22528L * 512;
  private static final long ROOT_LENGTH = 81920L * 512;

  @TempDir Path directory;
  @Autowired AgentChannel channel;

  @Test
  void migratesAnAwsLayeredDiskBetweenTwoLocalAccountsThroughAHelper() throws Exception {
    assumeRoot();
    Tenant tenant = tenant("acme");
    Api admin = as(user(tenant, "alice", Role.ADMIN));
    Path work = Files.createDirectories(directory.resolve("success"));
    String source = sourceAccount(admin, work);
    Path target = Files.createDirectories(work.resolve("kvm/images")).getParent();
    String targetId = localAccount(admin, "kvm-lab", target, "qcow2", "kvm");

    String id = migrate(admin, source, targetId, "debian-12-helper");
    JsonNode end = awaitFinished(admin, id);
    assertThat(end.get("state").asText()).as(end.toString()).isEqualTo("SUCCEEDED");

    JsonNode report = admin.get("/api/v1/migrations/" + id + "/report").json();
    assertThat(step(report, "PLAN").path("result").path("mode").asText()).isEqualTo("helper");
    JsonNode prepared = step(report, "PREPARE_TARGET").path("result");
    assertThat(prepared.path("helperId").asText()).startsWith("helper-");
    assertThat(prepared.path("device").asText()).startsWith(target.resolve("volumes").toString());
    assertThat(step(report, "RESTORE").path("result").path("bytesWritten").asLong()).isPositive();
    assertThat(step(report, "UPLOAD").path("result").path("detached").asBoolean()).isTrue();
    JsonNode verify = step(report, "VERIFY").path("result");
    assertThat(verify.path("actual").asText()).isEqualTo(verify.path("expected").asText()).hasSize(64);
    assertThat(report.toString()).as("the job token is never shown").doesNotContain(AgentChannel.TOKEN_PREFIX);

    Path image = target.resolve("images/debian-12-helper.qcow2");
    JsonNode info = JSON.readTree(run(work, "qemu-img", "info", "--output=json", image.toString()));
    assertThat(info.get("format").asText()).isEqualTo("qcow2");
    run(work, "qemu-img", "check", image.toString());
    assertThat(detectedLayers(work, image)).containsExactly("kvm");

    Set<String> layerPaths = new TreeSet<>();
    for (String name : List.of("STRIP", "INJECT")) {
      step(report, name).path("result").path("changes").forEach(change -> layerPaths.add(change.path("path").asText()));
    }
    assertThat(layerPaths).as("the strip and inject reports name changes").isNotEmpty();
    Map<String, String> before = snapshot(work.resolve("tree"));
    Map<String, String> after = resultTree(work, image);
    Set<String> differing = new TreeSet<>();
    Set<String> all = new TreeSet<>(before.keySet());
    all.addAll(after.keySet());
    for (String path : all) {
      if (!Objects.equals(before.get(path), after.get(path))) {
        differing.add(path);
      }
    }
    differing.removeIf(path -> path.equals("/") || path.equals("/var/lib/ferry") || path.startsWith("/var/lib/ferry/")
        || layerPaths.contains(path) || layerPaths.stream().anyMatch(changed -> changed.startsWith(path + "/")));
    assertThat(differing).as("paths outside the layer that differ from the source").isEmpty();

    List<String> actors = admin.get("/api/v1/audit?size=200").json().get("items").findValuesAsText("actor");
    assertThat(actors).as("the agent's reports are audited in the job's tenant").contains("agent:" + id);
    assertNothingLeft(id, target);
  }

  @Test
  void theAgentEndpointsAcceptOnlyTheJobsOwnValidToken() throws Exception {
    Tenant tenant = tenant("acme");
    AppUser alice = user(tenant, "alice", Role.ADMIN);
    String job = UUID.randomUUID().toString();
    String other = UUID.randomUUID().toString();
    String token = channel.issueToken(job, tenant.id().toString(), Duration.ofHours(1));
    String otherToken = channel.issueToken(other, tenant.id().toString(), Duration.ofHours(1));
    String expired = channel.issueToken(job, tenant.id().toString(), Duration.ofMillis(1));
    Thread.sleep(20);
    String instructions = "/api/v1/agent/jobs/" + job + "/instructions";

    Api agent = Api.bearer(port, token);
    assertThat(agent.get(instructions).status()).as("nothing queued yet").isEqualTo(204);
    channel.queue(job, "digest-1", "digest", JSON.createObjectNode().put("image", "/dev/null"));
    JsonNode pending = agent.get(instructions).json();
    assertThat(pending.get("done").asBoolean()).isFalse();
    assertThat(pending.get("instructions").findValuesAsText("id")).containsExactly("digest-1");

    for (Api refused : List.of(Api.bearer(port, expired), Api.bearer(port, token + "x"), Api.anonymous(port),
        as(alice), browser("alice", PASSWORD))) {
      Api.Response response = refused.get(instructions);
      assertThat(response.status()).as(response.toString()).isEqualTo(401);
      assertThat(response.code()).isIn("INVALID_TOKEN", "UNAUTHENTICATED");
      Api.Response posted = refused.post("/api/v1/agent/jobs/" + job + "/reports",
          Map.of("instructionId", "digest-1", "state", "SUCCEEDED", "report", Map.of("sha256", "0".repeat(64))));
      assertThat(posted.status()).as(posted.toString()).isIn(401, 403);
    }
    Api.Response otherJob = Api.bearer(port, otherToken).get(instructions);
    assertThat(otherJob.status()).isEqualTo(404);
    assertThat(otherJob.code()).isEqualTo("NOT_FOUND");
    assertThat(agent.get("/api/v1/agent/jobs/" + job + "/bundle/chunks/" + "a".repeat(64)).status())
        .as("a job without a bundle serves no chunk").isEqualTo(404);
    for (String path : List.of("/api/v1/migrations", "/api/v1/cloud-accounts", "/api/v1/auth/me", "/api/v1/tokens")) {
      Api.Response response = agent.get(path);
      assertThat(response.status()).as("a job token reaches nothing but the agent endpoints: " + path).isEqualTo(401);
      assertThat(response.code()).isEqualTo("INVALID_TOKEN");
    }
    assertThat(channel.instruction(job, "digest-1").orElseThrow().state()).isEqualTo(AgentChannel.State.QUEUED);

    Api.Response reported = agent.post("/api/v1/agent/jobs/" + job + "/reports",
        Map.of("instructionId", "digest-1", "state", "SUCCEEDED", "report", Map.of("sha256", "0".repeat(64))));
    assertThat(reported.status()).as(reported.toString()).isEqualTo(204);
    assertThat(agent.get(instructions).status()).as("a reported instruction is no longer listed").isEqualTo(204);
    assertThat(agent.post("/api/v1/agent/jobs/" + job + "/progress",
        Map.of("instructionId", "nope", "state", "RUNNING")).status()).isEqualTo(404);

    channel.revokeTokens(job);
    assertThat(agent.get(instructions).status()).as("revoked").isEqualTo(401);
  }

  @Test
  void aCancelDuringTheHelpersRestoreRemovesTheHelperAndTheVolume(CapturedOutput output) throws Exception {
    assumeRoot();
    Api admin = as(user(tenant("acme"), "alice", Role.ADMIN));
    Path work = Files.createDirectories(directory.resolve("cancel"));
    String source = sourceAccount(admin, work);
    Path target = Files.createDirectories(work.resolve("kvm/images")).getParent();
    String id = migrate(admin, source, localAccount(admin, "kvm-lab", target, "qcow2", "kvm"), "cancelled");

    Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
    while (true) {
      MigrationStatus status = ((Orchestrator) orchestrator).status(id).orElse(null);
      if (status != null && status.currentStep() == StepName.RESTORE) {
        break;
      }
      assertThat(status == null || !status.state().finished()).as("ended before RESTORE: " + status).isTrue();
      assertThat(Instant.now()).as("RESTORE did not start").isBefore(deadline);
      Thread.sleep(20);
    }
    List<ProcessHandle> helpers = helperProcesses(target);
    assertThat(helpers).as("the helper runs during RESTORE").hasSize(1);
    String token = helperToken(helpers.get(0));
    assertThat(token).startsWith(AgentChannel.TOKEN_PREFIX);
    assertThat(String.join(" ", helpers.get(0).info().arguments().orElseThrow()))
        .as("the token is not on the helper's command line").doesNotContain(token).contains("daemon", "--job", id);
    Api.Response cancelled = admin.post("/api/v1/migrations/" + id + "/cancel", null);
    assertThat(cancelled.status()).as(cancelled.toString()).isEqualTo(200);

    JsonNode end = awaitFinished(admin, id);
    assertThat(end.get("state").asText()).as(end.toString()).isEqualTo("CANCELLED");
    JsonNode report = admin.get("/api/v1/migrations/" + id + "/report").json();
    assertThat(step(report, "RESTORE").path("state").asText()).isEqualTo("CANCELLED");
    assertThat(step(report, "CLEANUP").path("result").path("deleted").toString()).contains("helper:", "volume:");
    assertNothingLeft(id, target);
    Api.Response afterCleanup = Api.bearer(port, token).get("/api/v1/agent/jobs/" + id + "/instructions");
    assertThat(afterCleanup.status()).as("the helper's token is revoked").isEqualTo(401);
    assertThat(output.getAll()).as("the token is never logged").doesNotContain(token);
  }

  @Test
  void aFailedAgentInstructionFailsTheMigrationWithTheAgentsReason() throws Exception {
    assumeRoot();
    Api admin = as(user(tenant("acme"), "alice", Role.ADMIN));
    Path work = Files.createDirectories(directory.resolve("failure"));
    String source = sourceAccount(admin, work);
    Path target = Files.createDirectories(work.resolve("atlantis/images")).getParent();
    String id = migrate(admin, source, localAccount(admin, "atlantis-lab", target, "qcow2", "atlantis"), "never");

    JsonNode end = awaitFinished(admin, id);
    assertThat(end.get("state").asText()).as(end.toString()).isEqualTo("FAILED");
    assertThat(end.get("errorCode").asText()).isEqualTo("NOT_FOUND");
    assertThat(end.get("errorMessage").asText()).contains("the helper's agent failed inject", "unknown cloud 'atlantis'");
    JsonNode report = admin.get("/api/v1/migrations/" + id + "/report").json();
    assertThat(step(report, "INJECT").path("state").asText()).isEqualTo("FAILED");
    assertThat(step(report, "INJECT").path("attempts").asInt()).as("not retryable").isEqualTo(1);
    assertNothingLeft(id, target);
  }

  // ------------------------------------------------------------------ helpers

  private static void assumeRoot() {
    assumeTrue("root".equals(System.getProperty("user.name")), "loop devices and mounts need root");
    assumeTrue(Files.isRegularFile(projectRoot().resolve("guest-agent/target/ferry-agent.jar")), "the agent jar is built");
  }

  private String sourceAccount(Api admin, Path work) throws Exception {
    Path images = Files.createDirectories(work.resolve("aws/images"));
    sampleDisk(work, images.resolve("debian-12-aws.raw"));
    String source = localAccount(admin, "aws-lab", images.getParent(), "raw", "aws");
    Api.Response refreshed = admin.post("/api/v1/cloud-accounts/" + source + "/images/refresh", null);
    assertThat(refreshed.status()).as(refreshed.toString()).isEqualTo(200);
    return source;
  }

  private static String migrate(Api admin, String source, String target, String name) {
    Api.Response created = admin.post("/api/v1/migrations", Map.of("sourceAccountId", source,
        "sourceImageId", "debian-12-aws.raw", "targetAccountId", target, "options", Map.of("name", name,
            "mode", "helper")));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    return created.json().get("id").asText();
  }

  private static JsonNode awaitFinished(Api api, String id) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(4));
    while (Instant.now().isBefore(deadline)) {
      JsonNode migration = api.get("/api/v1/migrations/" + id).json();
      if (Set.of("SUCCEEDED", "FAILED", "CANCELLED").contains(migration.get("state").asText())) {
        return migration;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("migration " + id + " did not end: " + api.get("/api/v1/migrations/" + id).body());
  }

  private static JsonNode step(JsonNode report, String name) {
    for (JsonNode step : report.path("steps")) {
      if (step.path("name").asText().equals(name)) {
        return step;
      }
    }
    throw new AssertionError("no step " + name + " in " + report);
  }

  private List<String> detectedLayers(Path work, Path image) throws Exception {
    Path scratch = Files.createDirectories(work.resolve("detect"));
    String detected = run(work, "java", "-jar", projectRoot().resolve("guest-agent/target/ferry-agent.jar").toString(),
        "detect", "--image", image.toString(), "--output", "json", "--scratch", scratch.toString());
    List<String> layers = new ArrayList<>();
    JSON.readTree(detected.substring(detected.indexOf('{'))).get("layers").forEach(layer -> {
      if (layer.get("present").asBoolean()) {
        layers.add(layer.get("cloud").asText());
      }
    });
    return layers;
  }

  /** The result's root file system, converted to raw and mounted read-only, as a snapshot. */
  private Map<String, String> resultTree(Path work, Path image) throws Exception {
    Path raw = work.resolve("result.raw");
    run(work, "qemu-img", "convert", "-O", "raw", image.toString(), raw.toString());
    String device = run(work, "losetup", "--find", "--show", "--read-only", "--offset", Long.toString(ROOT_OFFSET),
        "--sizelimit", Long.toString(ROOT_LENGTH), raw.toString()).strip();
    Path mountPoint = Files.createDirectories(work.resolve("mnt"));
    try {
      run(work, "mount", "-o", "ro,noload", device, mountPoint.toString());
      try {
        return snapshot(mountPoint);
      } finally {
        run(work, "umount", mountPoint.toString());
      }
    } finally {
      run(work, "losetup", "--detach", device);
      Files.deleteIfExists(raw);
    }
  }

  /** Every path of a tree (links not followed) to its type, permissions and content hash or link target. */
  private static Map<String, String> snapshot(Path tree) throws Exception {
    Map<String, String> result = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(tree)) {
      for (Path path : walk.toList()) {
        String key = "/" + tree.relativize(path);
        if (key.equals("/lost+found") || key.startsWith("/lost+found/")) {
          continue;
        }
        String permissions = java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
        if (Files.isSymbolicLink(path)) {
          result.put(key, "link:" + Files.readSymbolicLink(path));
        } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
          result.put(key, "dir:" + permissions);
        } else {
          MessageDigest digest = MessageDigest.getInstance("SHA-256");
          digest.update(Files.readAllBytes(path));
          result.put(key, "file:" + HexFormat.of().formatHex(digest.digest()) + ":" + permissions);
        }
      }
    }
    return result;
  }

  /** The job token a helper process has in its environment. */
  private static String helperToken(ProcessHandle helper) throws IOException {
    String environment = new String(Files.readAllBytes(Path.of("/proc/" + helper.pid() + "/environ")),
        StandardCharsets.UTF_8);
    for (String variable : environment.split("\0")) {
      if (variable.startsWith("FERRY_AGENT_TOKEN=")) {
        return variable.substring("FERRY_AGENT_TOKEN=".length());
      }
    }
    throw new AssertionError("helper " + helper.pid() + " has no FERRY_AGENT_TOKEN");
  }

  /** Live helper processes of the local account at {@code account}. */
  private static List<ProcessHandle> helperProcesses(Path account) {
    String marker = "-Dferry.helper.account=" + account;
    return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
        .filter(process -> List.of(process.info().arguments().orElse(new String[0])).contains(marker)).toList();
  }

  /** No helper process, volume, upload, helper log, live token, loop device or mount of the job is left. */
  private void assertNothingLeft(String job, Path target) throws Exception {
    assertThat(helperProcesses(target)).as("helper processes").isEmpty();
    for (String folder : List.of("volumes", "uploads", "helpers")) {
      try (Stream<Path> files = Files.list(target.resolve(folder))) {
        assertThat(files.toList()).as(folder + " of the target account").isEmpty();
      }
    }
    assertThat(channel.liveTokens(job)).as("job tokens").isZero();
    String prefix = directory.toAbsolutePath().toString();
    List<String> loops = new ArrayList<>();
    try (Stream<Path> blocks = Files.list(Path.of("/sys/block"))) {
      for (Path block : blocks.filter(path -> path.getFileName().toString().startsWith("loop")).toList()) {
        Path backing = block.resolve("loop/backing_file");
        if (Files.isReadable(backing) && Files.readString(backing).strip().startsWith(prefix)) {
          loops.add(block.getFileName().toString());
        }
      }
    }
    assertThat(loops).as("loop devices backed by the test's files").isEmpty();
    List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8).stream()
        .filter(line -> line.contains(prefix)).toList();
    assertThat(mounts).as("mounts under the test's folder").isEmpty();
  }

  private static String run(Path directory, String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
    return output;
  }
}
