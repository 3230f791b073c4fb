package io.ferry.systemmanager;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.cli.FerryCli;
import io.ferry.systemmanager.internal.tenant.AppUser;
import io.ferry.systemmanager.internal.tenant.Role;
import io.ferry.systemmanager.support.Api;
import io.ferry.systemmanager.support.WorkflowIntegrationTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ferry} command line against the real server: exit status and messages for a wrong
 * token, the output of images and jobs, cancel, and {@code migrate --wait} by outcome. With the
 * real workflow a blank disk fails and the sample disk succeeds; with the recording stand-in the
 * outcome is written to the migration row as the orchestrator's mirror would, and the command is
 * checked to report it.
 */
class FerryCliIT extends WorkflowIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path directory;

  /** One run of the command line. */
  record Run(int status, String out, String err) {}

  private Run ferry(String token, String... args) {
    Map<String, String> environment = new HashMap<>();
    environment.put("FERRY_URL", "http://localhost:" + port);
    environment.put("FERRY_TOKEN", token);
    environment.put("FERRY_CONFIG", directory.resolve("no-config").toString());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = FerryCli.run(FerryCli.terminal(environment, out, err), args);
    return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private String token(AppUser user) {
    Api api = as(user);
    Api.Response created = api.post("/api/v1/tokens", Map.of("name", "ci"));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    return created.json().get("token").asText();
  }

  @Test
  void wrongOrRevokedTokenExitsWithItsOwnStatusAndSaysWhatToDo() {
    Run wrong = ferry("ferry_not-a-real-token", "jobs");
    assertThat(wrong.status()).isEqualTo(3);
    assertThat(wrong.err()).contains("ferry: the server refused the API token").contains("FERRY_TOKEN");
    assertThat(wrong.out()).isEmpty();

    AppUser alice = user(tenant("acme"), "alice", Role.OPERATOR);
    String token = token(alice);
    assertThat(ferry(token, "jobs").status()).isZero();
    UUID id = tokens.findAll().stream().filter(candidate -> candidate.name().equals("ci")).findFirst().orElseThrow().id();
    assertThat(as(alice).delete("/api/v1/tokens/" + id).status()).isEqualTo(204);
    assertThat(ferry(token, "images", "lab").status()).isEqualTo(3);

    Run noToken = ferry("", "jobs");
    assertThat(noToken.status()).isEqualTo(2);
    assertThat(noToken.err()).contains("no API token");
  }

  @Test
  void imagesJobsAndCancelPrintWhatTheApiHolds() throws Exception {
    AppUser admin = user(tenant("acme"), "alice", Role.ADMIN);
    Api api = as(admin);
    Path lab = Files.createDirectories(directory.resolve("lab/images"));
    blankDisk(lab.resolve("debian-12.raw"), 4L << 20);
    localAccount(api, "lab", lab.getParent(), "qcow2", "kvm");
    String token = token(admin);

    Run images = ferry(token, "images", "lab");
    assertThat(images.status()).as(images.err()).isZero();
    assertThat(images.out().lines().findFirst().orElseThrow()).startsWith("IMAGE").contains("FORMAT").contains("SIZE");
    assertThat(images.out()).containsPattern("(?i)debian-12\\.raw .*raw .*4\\.00 MiB");
    JsonNode imagesJson = JSON.readTree(ferry(token, "images", "lab", "--output", "json").out());
    assertThat(imagesJson.findValuesAsText("id")).containsExactly("debian-12.raw");

    Run unknown = ferry(token, "images", "nowhere");
    assertThat(unknown.status()).isEqualTo(6);
    assertThat(unknown.err()).contains("no cloud account 'nowhere'; accounts: lab");
    Run unknownImage = ferry(token, "migrate", "--source", "lab:nothing.raw", "--target", "lab");
    assertThat(unknownImage.status()).isEqualTo(6);
    assertThat(unknownImage.err()).contains("no image 'nothing.raw' in cloud account 'lab'; images: debian-12.raw");

    // A second tenant's CLI sees none of it.
    String otherToken = token(user(tenant("globex"), "bob", Role.ADMIN));
    assertThat(ferry(otherToken, "images", "lab").err()).contains("no cloud account 'lab' (this tenant has none)");

    Run started = ferry(token, "migrate", "--source", "lab:debian-12.raw", "--target", "lab", "--name", "copy",
        "--option", "bootCheck=true", "--option", "mode=direct", "--output", "json");
    assertThat(started.status()).as(started.err()).isZero();
    JsonNode migration = JSON.readTree(started.out());
    String id = migration.get("id").asText();
    assertThat(migration.get("sourceImageId").asText()).isEqualTo("debian-12.raw");
    assertThat(migration.get("options")).as(migration.toString()).isEqualTo(JSON.valueToTree(
        Map.of("targetImageName", "copy", "bootCheck", "true", "mode", "direct")));

    Run jobs = ferry(token, "jobs");
    assertThat(jobs.status()).isZero();
    assertThat(jobs.out()).startsWith("ID").contains(id).contains("lab:debian-12.raw");
    assertThat(JSON.readTree(ferry(token, "jobs", "--output", "json").out()).findValuesAsText("id")).containsExactly(id);
    assertThat(JSON.readTree(ferry(otherToken, "jobs", "--output", "json").out())).isEmpty();

    Run cancelled = ferry(token, "cancel", id);
    assertThat(cancelled.status()).as(cancelled.err()).isZero();
    assertThat(cancelled.out()).startsWith("Migration " + id + ": ").containsAnyOf("cancelled", "cancel requested");
    Run again = ferry(otherToken, "cancel", id);
    assertThat(again.status()).isEqualTo(6);
    Run notAnId = ferry(token, "cancel", "12");
    assertThat(notAnId.status()).isEqualTo(2);
    assertThat(notAnId.err()).contains("'12' is not a migration id");
  }

  @Test
  void migrateWaitExitsZeroOnSuccessAndNonZeroWithTheReasonOnFailure() throws Exception {
    AppUser admin = user(tenant("acme"), "alice", Role.ADMIN);
    Api api = as(admin);
    Path source = Files.createDirectories(directory.resolve("aws/images"));
    Path target = Files.createDirectories(directory.resolve("kvm/images"));
    blankDisk(source.resolve("blank.raw"), 4L << 20);
    if (workflowRuns()) {
      sampleDisk(Files.createDirectories(directory.resolve("work")), source.resolve("debian-12-aws.raw"));
    } else {
      blankDisk(source.resolve("debian-12-aws.raw"), 4L << 20);
    }
    localAccount(api, "aws-lab", source.getParent(), "raw", "aws");
    localAccount(api, "kvm-lab", target.getParent(), "qcow2", "kvm");
    String token = token(admin);

    Run failed = waitFor(token, "aws-lab:blank.raw", "FAILED", "INVALID_IMAGE", "no partition table or file system");
    assertThat(failed.status()).as(failed.err()).isEqualTo(1);
    assertThat(failed.err()).containsPattern("ferry: migration [0-9a-f-]{36} failed");
    assertThat(failed.err().lines().filter(line -> line.startsWith("ferry: ")).findFirst().orElseThrow())
        .as("a reason after the id").matches("ferry: migration [0-9a-f-]{36} failed.*: .+");
    assertThat(failed.err()).as("plain progress lines, no bar, in a CI log").doesNotContain("\r").contains("QUEUED");

    Run succeeded = waitFor(token, "aws-lab:debian-12-aws.raw", "SUCCEEDED", null, null);
    assertThat(succeeded.status()).as(succeeded.err()).isZero();
    assertThat(succeeded.out()).containsPattern("Migration [0-9a-f-]{36} succeeded");
    if (workflowRuns()) {
      try (var registered = Files.list(target)) {
        assertThat(registered.map(path -> path.getFileName().toString()).toList()).anyMatch(name -> name.endsWith(".qcow2"));
      }
    }

    if (!workflowRuns()) {
      Run timedOut = ferry(token, "migrate", "--source", "aws-lab:debian-12-aws.raw", "--target", "kvm-lab", "--wait",
          "--timeout", "1s", "--interval", "0.2");
      assertThat(timedOut.status()).isEqualTo(8);
      assertThat(timedOut.err()).contains("stopped waiting after 1s").contains("still QUEUED").contains("ferry cancel");
    }
  }

  /**
   * Runs {@code migrate --wait}; without the real workflow, writes the outcome into the migration
   * row once it exists, as the orchestrator's mirror would.
   */
  private Run waitFor(String token, String source, String outcome, String errorCode, String errorMessage)
      throws Exception {
    Instant before = Instant.now();
    CompletableFuture<Run> run = CompletableFuture.supplyAsync(() -> ferry(token, "migrate", "--source", source,
        "--target", "kvm-lab", "--wait", "--interval", "0.2", "--timeout", "10m"));
    if (!workflowRuns()) {
      UUID id = null;
      for (int attempt = 0; attempt < 300 && id == null; attempt++) {
        id = jdbc.query("select id from migration where created_at >= ? and source_image_id = ? and state = 'QUEUED'",
            resultSet -> resultSet.next() ? resultSet.getObject(1, UUID.class) : null,
            java.sql.Timestamp.from(before.minusSeconds(1)), source.substring(source.indexOf(':') + 1));
        if (id == null) {
          Thread.sleep(100);
        }
      }
      assertThat(id).as("the CLI created the migration").isNotNull();
      Thread.sleep(500); // let the command print the queued state first
      jdbc.update("update migration set state = ?, progress_percent = 100, error_code = ?, error_message = ?,"
          + " finished_at = now(), updated_at = now() where id = ?", outcome, errorCode, errorMessage, id);
    }
    return run.get(Duration.ofMinutes(10).toSeconds(), TimeUnit.SECONDS);
  }
}
