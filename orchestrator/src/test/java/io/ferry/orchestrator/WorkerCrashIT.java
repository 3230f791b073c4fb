package io.ferry.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.orchestrator.internal.JobStore;
import io.ferry.orchestrator.support.Fixtures;
import io.ferry.orchestrator.support.Leftovers;
import io.ferry.orchestrator.support.TestDatabase;
import io.ferry.orchestrator.support.WorkerProcess;
import io.ferry.standardization.bundle.LocalChunkStore;
import io.ferry.standardization.spi.CloudPlugins;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Crash test: one worker process runs eleven migrations and stops each in a different step (a
 * test pause); it is killed with SIGKILL while every job is inside its step; a new worker process
 * takes the jobs over (db-scheduler's dead-execution handling) and finishes them. Each result
 * equals the result of an uninterrupted migration, and nothing is left behind.
 */
class WorkerCrashIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Where in each step the first worker stops: the N-th block boundary (or the step's last). */
  private static final Map<StepName, Integer> PAUSE_AT = new EnumMap<>(Map.ofEntries(
      Map.entry(StepName.PLAN, 2), Map.entry(StepName.STRIP, 4),
      Map.entry(StepName.BUNDLE, 10), Map.entry(StepName.PREPARE_TARGET, 2), Map.entry(StepName.RESTORE, 8),
      Map.entry(StepName.INJECT, 4), Map.entry(StepName.UPLOAD, 10), Map.entry(StepName.REGISTER, 2),
      Map.entry(StepName.VERIFY, 10), Map.entry(StepName.CLEANUP, 2)));

  @Test
  void aWorkerKilledInAnyStepIsReplacedAndTheJobsFinishWithTheSameResult() throws Exception {
    assumeTrue(Fixtures.root(), "loop devices and mounts need root");
    Files.createDirectories(Path.of("target"));
    Path root = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "crash-it-");
    Path work = root.resolve("work");
    Path store = root.resolve("store");
    Path markers = Files.createDirectories(root.resolve("markers"));
    Path source = root.resolve("aws");
    Path target = root.resolve("kvm");
    Path accounts = WorkerProcess.accountsFile(root.resolve("accounts.json"), Map.of(
        "aws", new String[] {source.toString(), "raw", "aws"},
        "kvm", new String[] {target.toString(), "qcow2", "kvm"}));
    Path tree = Fixtures.tree("aws", root);
    Path disk = Fixtures.gptDisk(tree, source.resolve("images/reference.raw"));
    Map<StepName, String> jobs = new EnumMap<>(StepName.class);
    StringBuilder pauses = new StringBuilder();
    Map<StepName, String> images = new EnumMap<>(StepName.class);
    for (StepName step : StepName.values()) {
      // The jobs killed up to BUNDLE export, strip and bundle their own source image; the others
      // share one (one of them makes the bundle, the rest reuse it).
      String image = step.compareTo(StepName.BUNDLE) <= 0 ? "crash-" + step.name().toLowerCase() + ".raw" : "shared.raw";
      images.put(step, image);
      if (!Files.exists(source.resolve("images/" + image))) {
        Fixtures.run(root, "cp", "--sparse=always", disk.toString(), source.resolve("images/" + image).toString());
      }
      String job = UUID.randomUUID().toString();
      jobs.put(step, job);
      // EXPORT pauses by offset, past its first checkpoint (every 16 MiB); its block boundaries
      // follow the disk's map of data and holes.
      pauses.append(job).append('=').append(step)
          .append(step == StepName.EXPORT ? "@" + (20L << 20) : "#" + PAUSE_AT.get(step)).append(';');
    }
    String url = TestDatabase.newDatabase();
    DataSource dataSource = TestDatabase.dataSource(url);
    JobStore store1 = new JobStore(dataSource, Clock.systemUTC());
    try (Orchestrator client = submitOnly(dataSource, root)) {
      for (StepName step : StepName.values()) {
        client.submit(new MigrationRequest(jobs.get(step), "tenant", "aws", images.get(step), "kvm", Map.of()));
      }
      WorkerProcess first = WorkerProcess.start("worker-a", url, accounts, work, store, 12, root.resolve("worker-a.log"),
          Map.of("FERRY_TEST_PAUSE", pauses.toString(), "FERRY_TEST_PAUSE_MARKERS", markers.toString()));
      try {
        awaitMarkers(markers, jobs.size(), first, root.resolve("worker-a.log"));
        for (StepName step : StepName.values()) {
          MigrationStatus status = client.status(jobs.get(step)).orElseThrow();
          assertThat(status.step(step).state()).as("job paused in " + step).isEqualTo(StepState.RUNNING);
        }
        long exportCheckpoint = JSON.readTree(client.status(jobs.get(StepName.EXPORT)).orElseThrow()
            .step(StepName.EXPORT).checkpoint()).path("offset").asLong();
        assertThat(exportCheckpoint).as("EXPORT checkpointed before the kill").isGreaterThanOrEqualTo(16L << 20);
      } finally {
        first.kill();
      }

      String reference = UUID.randomUUID().toString();
      try (WorkerProcess second = WorkerProcess.start("worker-b", url, accounts, work, store, 4,
          root.resolve("worker-b.log"), Map.of())) {
        client.submit(new MigrationRequest(reference, "tenant", "aws", "reference.raw", "kvm", Map.of()));
        List<String> all = new ArrayList<>(jobs.values());
        all.add(reference);
        awaitAll(client, all, second, root.resolve("worker-b.log"));
      }

      MigrationStatus referenceStatus = client.status(reference).orElseThrow();
      assertThat(referenceStatus.state()).isEqualTo(JobState.SUCCEEDED);
      Map<String, String> expected = withoutBackups(
          Fixtures.rootSnapshot(Path.of(referenceStatus.resultLocation()), root));
      for (StepName step : StepName.values()) {
        String job = jobs.get(step);
        MigrationStatus status = client.status(job).orElseThrow();
        assertThat(status.state()).as("job killed in " + step).isEqualTo(JobState.SUCCEEDED);
        List<JobStore.Attempt> attempts = store1.attempts(job);
        assertThat(attempts).as("attempts of the job killed in " + step)
            .anySatisfy(attempt -> {
              assertThat(attempt.step()).isEqualTo(step);
              assertThat(attempt.worker()).isEqualTo("worker-a");
              assertThat(attempt.outcome()).isEqualTo("CRASHED");
            })
            .anySatisfy(attempt -> {
              assertThat(attempt.step()).isEqualTo(step);
              assertThat(attempt.worker()).isEqualTo("worker-b");
              assertThat(attempt.outcome()).isEqualTo("SUCCEEDED");
            });
        assertThat(attempts.stream().filter(a -> a.step() != step).map(JobStore.Attempt::outcome)
                .filter(outcome -> !outcome.equals("WAITING")).collect(Collectors.toSet()))
            .as("other steps of the job killed in " + step).containsOnly("SUCCEEDED");
        Path image = Path.of(status.resultLocation());
        Fixtures.run(root, "qemu-img", "check", image.toString());
        assertThat(JSON.readTree(status.step(StepName.VERIFY).result()).path("actual").asText())
            .isEqualTo(status.diskDigest());
        assertThat(withoutBackups(Fixtures.rootSnapshot(image, root)))
            .as("file tree of the job killed in " + step + " equals the uninterrupted run's").isEqualTo(expected);
      }
      List<String> all = new ArrayList<>(jobs.values());
      all.add(reference);
      Leftovers.assertNone(root, Set.of(), work, all, List.of(source, target));
      try (var registered = Files.list(target.resolve("images"))) {
        assertThat(registered.filter(path -> !path.toString().endsWith(".json")).count())
            .as("one image per job in the target, no extra registrations").isEqualTo(all.size());
      }
    }
    Fixtures.run(root.getParent(), "rm", "-rf", root.toString()); // kept only when the test fails
  }

  private static Map<String, String> withoutBackups(Map<String, String> snapshot) {
    Map<String, String> kept = new LinkedHashMap<>(snapshot);
    kept.keySet().removeIf(path -> path.equals("/var/lib/ferry") || path.startsWith("/var/lib/ferry/"));
    return kept;
  }

  static Orchestrator submitOnly(DataSource dataSource, Path root) throws Exception {
    OrchestratorSettings settings = OrchestratorSettings
        .defaults(Fixtures.agentJar(), root.resolve("work"), new LocalChunkStore(root.resolve("store")))
        .withWorkerThreads(0);
    return new Orchestrator(dataSource, Clock.systemUTC(), accountId -> {
      throw new IllegalStateException("a submit-only orchestrator resolves no accounts");
    }, CloudPlugins.load(WorkerCrashIT.class.getClassLoader()), settings, MigrationEventListener.NONE);
  }

  private static void awaitMarkers(Path markers, int count, WorkerProcess worker, Path log) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(4));
    while (Instant.now().isBefore(deadline)) {
      try (var files = Files.list(markers)) {
        if (files.count() == count) {
          return;
        }
      }
      assertThat(worker.alive()).as("worker alive; log:\n" + Files.readString(log)).isTrue();
      Thread.sleep(200);
    }
    try (var files = Files.list(markers)) {
      throw new AssertionError("only " + files.toList() + " paused; log:\n" + Files.readString(log));
    }
  }

  static void awaitAll(Orchestrator client, List<String> jobs, WorkerProcess worker, Path log) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
    while (Instant.now().isBefore(deadline)) {
      if (jobs.stream().allMatch(job -> client.status(job).orElseThrow().state().finished())) {
        return;
      }
      assertThat(worker.alive()).as("worker alive; log:\n" + Files.readString(log)).isTrue();
      Thread.sleep(250);
    }
    throw new AssertionError("jobs did not finish: " + jobs.stream()
        .map(job -> client.status(job).orElseThrow())
        .map(status -> status.jobId() + " " + status.state() + " " + status.currentStep())
        .toList() + "; log:\n" + Files.readString(log));
  }
}
