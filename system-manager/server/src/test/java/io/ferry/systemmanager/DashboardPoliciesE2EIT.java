package io.ferry.systemmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.systemmanager.internal.tenant.AppUser;
import io.ferry.systemmanager.internal.trigger.TriggerEngine;
import io.ferry.systemmanager.internal.tenant.Role;
import io.ferry.systemmanager.internal.tenant.Tenant;
import io.ferry.systemmanager.support.Api;
import io.ferry.systemmanager.support.WorkflowIntegrationTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The dashboard's policy, approval, trigger, report and billing screens end to end:
 * {@code web-ui/e2e/policies.mjs} drives Debian's headless Chromium through playwright-core against
 * this server (embedded PostgreSQL, two real local cloud accounts, the real workflow where the
 * server has it). A tenant admin sets a price, creates a budget and an approval rule; a migration
 * waits, is approved in the UI and runs; another is rejected with a reason; one over the budget is refused with the numbers; a
 * schedule trigger is created and listed; an image trigger starts a migration when a new image
 * file appears (the test runs a trigger round every second, as the scheduler would every minute),
 * which waits for approval like any other; the billing page shows the job's cost and its CSV downloads; a
 * viewer cannot edit policies; another tenant sees none of it. Screenshots land in
 * {@code target/e2e-screenshots/policies}. Skipped, saying why, without chromium or the web UI's
 * npm packages.
 */
class DashboardPoliciesE2EIT extends WorkflowIntegrationTest {

  private static final Path WEB_UI = Path.of("../../web-ui").toAbsolutePath().normalize();
  private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
  private static final String IMAGE = "debian-12-aws.raw";

  @TempDir Path cloud;
  @Autowired TriggerEngine triggers;

  @Test
  void policiesApprovalsTriggersAndBillingDrivenInChromium() throws IOException, InterruptedException {
    assumeTrue(Files.isExecutable(CHROMIUM), "Debian chromium is not installed at " + CHROMIUM
        + " (scripts/test-install.d/50-web-ui.sh installs it): dashboard E2E skipped");
    assumeTrue(Files.isDirectory(WEB_UI.resolve("node_modules/playwright-core")),
        "web-ui/node_modules/playwright-core is missing (the server build runs npm ci): dashboard E2E skipped");

    Tenant acme = tenant("acme");
    AppUser alice = user(acme, "alice", Role.ADMIN);
    AppUser vera = user(acme, "vera", Role.VIEWER);
    Tenant globex = tenant("globex");
    AppUser bob = user(globex, "bob", Role.ADMIN);

    Path images = Files.createDirectories(cloud.resolve("aws/images"));
    Path targetDirectory = Files.createDirectories(cloud.resolve("kvm"));
    String workflow = workflowRuns() ? "real" : "recording";
    if (workflowRuns()) {
      sampleDisk(Files.createDirectories(cloud.resolve("work")), images.resolve(IMAGE));
    } else {
      blankDisk(images.resolve(IMAGE), 4L << 20);
    }
    Api aliceApi = as(alice);
    UUID lab = UUID.fromString(localAccount(aliceApi, "lab", cloud.resolve("aws"), "raw", "aws"));
    localAccount(aliceApi, "kvm-lab", targetDirectory, "qcow2", "kvm");
    assertThat(aliceApi.get("/api/v1/cloud-accounts/" + lab + "/images").body()).contains(IMAGE);

    Path screenshots = Path.of("target/e2e-screenshots/policies").toAbsolutePath();
    ProcessBuilder builder = new ProcessBuilder(List.of("node", "e2e/policies.mjs", "http://localhost:" + port))
        .directory(WEB_UI.toFile()).redirectErrorStream(true);
    Map<String, String> environment = builder.environment();
    environment.put("FERRY_E2E_USER", alice.username());
    environment.put("FERRY_E2E_VIEWER", vera.username());
    environment.put("FERRY_E2E_OTHER_USER", bob.username());
    environment.put("FERRY_E2E_PASSWORD", PASSWORD);
    environment.put("FERRY_E2E_IMAGE", IMAGE);
    environment.put("FERRY_E2E_SOURCE_DIRECTORY", cloud.resolve("aws").toString());
    environment.put("FERRY_E2E_WORKFLOW", workflow);
    environment.put("FERRY_E2E_SCREENSHOTS", screenshots.toString());
    environment.put("CHROMIUM", CHROMIUM.toString());
    Path log = Files.createDirectories(Path.of("target")).resolve("e2e-policies.log");
    builder.redirectOutput(log.toFile());
    ScheduledExecutorService rounds = Executors.newSingleThreadScheduledExecutor();
    rounds.scheduleWithFixedDelay(() -> {
      try {
        triggers.evaluateAll(Instant.now());
      } catch (RuntimeException e) {
        System.out.println("trigger round failed: " + e);
      }
    }, 1, 1, TimeUnit.SECONDS);
    boolean ended;
    Process process = builder.start();
    try {
      ended = process.waitFor(10, TimeUnit.MINUTES);
      if (!ended) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    } finally {
      rounds.shutdownNow();
      rounds.awaitTermination(1, TimeUnit.MINUTES);
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    System.out.println(output);
    assertThat(ended).as("the browser test ended within 10 minutes; output:%n%s", output).isTrue();
    assertThat(process.exitValue()).as("node e2e/policies.mjs (%s workflow) output:%n%s", workflow, output).isZero();

    // What the browser did is in the database: the rules, the approval, the refusal, the trigger.
    assertThat(jdbc.queryForList("select name from policy order by name", String.class))
        .containsExactly("approve kvm", "monthly budget");
    assertThat(jdbc.queryForObject("select count(*) from migration where state = 'AWAITING_APPROVAL'", Long.class))
        .isZero();
    assertThat(jdbc.queryForList("select m.state || ' by ' || l.decided_by from migration_ledger l join migration m"
        + " on m.id = l.migration_id where l.approval_policy = 'approve kvm' order by m.state", String.class))
        .containsExactlyInAnyOrder((workflowRuns() ? "SUCCEEDED" : "QUEUED") + " by alice", "REJECTED by alice",
            "REJECTED by alice");
    assertThat(jdbc.queryForObject("select count(*) from migration m join tenant t on t.id = m.tenant_id"
        + " where t.name = 'acme'", Long.class)).as("the refused migration was not stored").isEqualTo(3);
    assertThat(jdbc.queryForList("select error_message from migration where state = 'REJECTED'", String.class))
        .containsExactlyInAnyOrder("not this week", "started by the trigger test");
    assertThat(jdbc.queryForObject("select m.source_image_id from migration m join migration_ledger l on"
        + " l.migration_id = m.id join migration_trigger t on t.id = l.trigger_id where t.name = 'new lab images'",
        String.class)).isEqualTo("debian-12-aws-new.raw");
    assertThat(jdbc.queryForObject("select enabled from migration_trigger where name = 'nightly debian'",
        Boolean.class)).as("disabled in the UI").isFalse();
    assertThat(jdbc.queryForObject("select count(*) from audit_event where action like 'POST /api/v1/migrations/%/approve'"
        + " and outcome = 'SUCCESS'", Long.class)).isEqualTo(1);
    assertThat(jdbc.queryForObject("select count(*) from audit_event where action = 'POST /api/v1/migrations'"
        + " and actor = 'alice' and status = 403", Long.class)).as("the refusal is audited").isEqualTo(1);
    assertThat(screenshots.resolve("07-refused-over-budget.png")).isNotEmptyFile();
    assertThat(screenshots.resolve("13-other-tenant.png")).isNotEmptyFile();
  }
}
