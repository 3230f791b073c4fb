package io.ferry.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.orchestrator.internal.JobStore;
import io.ferry.orchestrator.support.Fixtures;
import io.ferry.orchestrator.support.Leftovers;
import io.ferry.orchestrator.support.TestDatabase;
import io.ferry.orchestrator.support.WorkerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Two worker processes against one PostgreSQL share ten concurrent migrations of one source image:
 * every step of every job runs exactly once (from the attempt rows), both workers take part, the
 * bundle is made once and reused nine times, and nothing is left behind.
 */
class SharedWorkersIT {

  @Test
  void twoWorkersShareTenMigrationsAndRunEachStepExactlyOnce() throws Exception {
    assumeTrue(Fixtures.root(), "loop devices and mounts need root");
    Files.createDirectories(Path.of("target"));
    Path root = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "shared-workers-it-");
    Path work = root.resolve("work");
    Path source = root.resolve("aws");
    Path target = root.resolve("vsphere");
    Path accounts = WorkerProcess.accountsFile(root.resolve("accounts.json"), Map.of(
        "aws", new String[] {source.toString(), "raw", "aws"},
        "vsphere", new String[] {target.toString(), "vmdk-streamOptimized", "vsphere"}));
    Fixtures.gptDisk(Fixtures.tree("aws", root), source.resolve("images/debian.raw"));
    String url = TestDatabase.newDatabase();
    DataSource dataSource = TestDatabase.dataSource(url);
    JobStore store = new JobStore(dataSource, Clock.systemUTC());
    List<String> jobs = new ArrayList<>();
    try (Orchestrator client = WorkerCrashIT.submitOnly(dataSource, root);
        WorkerProcess first = WorkerProcess.start("worker-1", url, accounts, work, root.resolve("store"), 3,
            root.resolve("worker-1.log"), Map.of());
        WorkerProcess second = WorkerProcess.start("worker-2", url, accounts, work, root.resolve("store"), 3,
            root.resolve("worker-2.log"), Map.of())) {
      for (int i = 0; i < 10; i++) {
        String job = UUID.randomUUID().toString();
        jobs.add(job);
        client.submit(new MigrationRequest(job, "tenant", "aws", "debian.raw", "vsphere", Map.of("name", "debian-" + i)));
      }
      client.submit(new MigrationRequest(jobs.get(0), "tenant", "aws", "debian.raw", "vsphere", Map.of()));
      WorkerCrashIT.awaitAll(client, jobs, first, root.resolve("worker-1.log"));
      assertThat(second.alive()).isTrue();

      Set<String> workers = new HashSet<>();
      int bundlesMade = 0;
      for (String job : jobs) {
        MigrationStatus status = client.status(job).orElseThrow();
        assertThat(status.state()).as(job).isEqualTo(JobState.SUCCEEDED);
        List<JobStore.Attempt> attempts = store.attempts(job).stream()
            .filter(attempt -> !attempt.outcome().equals("WAITING")).toList();
        assertThat(attempts).extracting(JobStore.Attempt::outcome).containsOnly("SUCCEEDED");
        Map<StepName, Long> perStep = attempts.stream()
            .collect(Collectors.groupingBy(JobStore.Attempt::step, Collectors.counting()));
        for (StepName step : StepName.values()) {
          if (status.step(step).state() == StepState.SKIPPED && perStep.get(step) == null) {
            continue; // a reused bundle: EXPORT, STRIP and BUNDLE did not run
          }
          assertThat(perStep.get(step)).as(job + " " + step + " runs exactly once").isEqualTo(1L);
        }
        if (status.step(StepName.BUNDLE).state() == StepState.SUCCEEDED) {
          bundlesMade++;
        }
        attempts.forEach(attempt -> workers.add(attempt.worker()));
        assertThat(Path.of(status.resultLocation())).isRegularFile();
      }
      assertThat(bundlesMade).as("one bundle made, reused by the other nine").isEqualTo(1);
      assertThat(workers).as("both workers ran steps").containsExactlyInAnyOrder("worker-1", "worker-2");
    }
    Leftovers.assertNone(root, Set.of(), work, jobs, List.of(source, target));
    try (var images = Files.list(target.resolve("images"))) {
      assertThat(images.filter(path -> path.toString().endsWith(".vmdk")).count()).isEqualTo(10);
    }
    Fixtures.run(root.getParent(), "rm", "-rf", root.toString()); // kept only when the test fails
  }
}
