package io.ferry.systemmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.systemmanager.internal.tenant.AppUser;
import io.ferry.systemmanager.internal.tenant.Role;
import io.ferry.systemmanager.internal.tenant.Tenant;
import io.ferry.systemmanager.support.Api;
import io.ferry.systemmanager.support.WorkflowIntegrationTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard end to end: {@code web-ui/e2e/run.mjs} drives Debian's headless Chromium through
 * playwright-core against this server (embedded PostgreSQL, the real local cloud plugin, the real
 * workflow where the server has it): sign in, add two local cloud accounts (aws and kvm layers),
 * browse the images, start a migration and watch it succeed with its report, cancel another,
 * history filters, tokens, audit, tablet width, and a second tenant that sees none of it.
 * Screenshots land in {@code target/e2e-screenshots}. Skipped, saying why, without chromium, node
 * or the web UI's npm packages.
 */
class DashboardE2EIT extends WorkflowIntegrationTest {

  private static final Path WEB_UI = Path.of("../../web-ui").toAbsolutePath().normalize();
  private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
  private static final String IMAGE = "debian-12-aws.raw";

  @TempDir Path cloud;

  @Test
  void dashboardDrivenInChromium() throws IOException, InterruptedException {
    assumeTrue(Files.isExecutable(CHROMIUM), "Debian chromium is not installed at " + CHROMIUM
        + " (scripts/test-install.d/50-web-ui.sh installs it): dashboard E2E skipped");
    assumeTrue(Files.isDirectory(WEB_UI.resolve("node_modules/playwright-core")),
        "web-ui/node_modules/playwright-core is missing (the server build runs npm ci): dashboard E2E skipped");

    Tenant acme = tenant("acme");
    AppUser alice = user(acme, "alice", Role.ADMIN);
    Tenant globex = tenant("globex");
    AppUser bob = user(globex, "bob", Role.ADMIN);
    Api bobApi = as(bob);
    UUID secretAccount = createAccount(bobApi, "globex-secret", "a-password");
    UUID secretMigration = createMigration(bobApi, secretAccount, secretAccount);

    Path images = Files.createDirectories(cloud.resolve("aws/images"));
    Files.createDirectories(cloud.resolve("kvm/images"));
    String workflow = workflowRuns() ? "real" : "recording";
    if (workflowRuns()) {
      sampleDisk(Files.createDirectories(cloud.resolve("work")), images.resolve(IMAGE));
    } else {
      blankDisk(images.resolve(IMAGE), 4L << 20);
    }
    Path screenshots = Path.of("target/e2e-screenshots").toAbsolutePath();

    List<String> command = new ArrayList<>(List.of("node", "e2e/run.mjs", "http://localhost:" + port));
    ProcessBuilder builder = new ProcessBuilder(command).directory(WEB_UI.toFile()).redirectErrorStream(true);
    Map<String, String> environment = builder.environment();
    environment.put("FERRY_E2E_USER", alice.username());
    environment.put("FERRY_E2E_PASSWORD", PASSWORD);
    environment.put("FERRY_E2E_OTHER_USER", bob.username());
    environment.put("FERRY_E2E_OTHER_PASSWORD", PASSWORD);
    environment.put("FERRY_E2E_OTHER_ACCOUNT", "globex-secret");
    environment.put("FERRY_E2E_OTHER_MIGRATION", secretMigration.toString());
    environment.put("FERRY_E2E_SOURCE_DIRECTORY", cloud.resolve("aws").toString());
    environment.put("FERRY_E2E_TARGET_DIRECTORY", cloud.resolve("kvm").toString());
    environment.put("FERRY_E2E_IMAGE", IMAGE);
    environment.put("FERRY_E2E_WORKFLOW", workflow);
    environment.put("FERRY_E2E_SCREENSHOTS", screenshots.toString());
    environment.put("CHROMIUM", CHROMIUM.toString());
    Path log = Files.createDirectories(Path.of("target")).resolve("e2e-dashboard.log");
    builder.redirectOutput(log.toFile());
    Process process = builder.start();
    boolean ended = process.waitFor(10, TimeUnit.MINUTES);
    if (!ended) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    System.out.println(output);
    assertThat(ended).as("the browser test ended within 10 minutes; output:%n%s", output).isTrue();
    assertThat(process.exitValue()).as("node e2e/run.mjs (%s workflow) output:%n%s", workflow, output).isZero();
    assertThat(screenshots.resolve("05-migration-started.png")).isNotEmptyFile();
    assertThat(screenshots.resolve("15-other-tenant.png")).isNotEmptyFile();
  }
}
