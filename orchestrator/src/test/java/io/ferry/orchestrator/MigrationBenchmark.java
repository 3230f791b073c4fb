package io.ferry.orchestrator;

import io.ferry.orchestrator.support.TestDatabase;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.bundle.LocalChunkStore;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.CloudPlugins;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * Times one whole migration of a raw image (an AWS-layered local account) into a KVM-layered qcow2
 * local account, on an embedded PostgreSQL with in-process workers. Run by
 * scripts/bench-migration.sh; not a test.
 *
 * <p>Arguments: IMAGE (a raw disk image) WORK (an empty folder) AGENT_JAR [TARGET_FORMAT]. Prints
 * the wall time, the time of each step, and the result's path.
 */
public final class MigrationBenchmark {

  private MigrationBenchmark() {}

  public static void main(String[] arguments) throws Exception {
    Path image = Path.of(arguments[0]).toAbsolutePath();
    Path work = Path.of(arguments[1]).toAbsolutePath();
    Path agentJar = Path.of(arguments[2]).toAbsolutePath();
    String format = arguments.length > 3 ? arguments[3] : "qcow2";
    Path source = Files.createDirectories(work.resolve("source/images"));
    // A sparse copy: the local cloud refuses symbolic links in an account.
    Process copy = new ProcessBuilder("cp", "--sparse=always", image.toString(),
        source.resolve(image.getFileName()).toString()).inheritIO().start();
    if (copy.waitFor() != 0) {
      throw new IllegalStateException("cannot copy " + image);
    }
    Path target = Files.createDirectories(work.resolve("target/images")).getParent();
    Map<String, ResolvedAccount> accounts = Map.of(
        "source", new ResolvedAccount("local", new CloudAccountConfig("source", null, null,
            Map.of("directory", source.getParent().toString(), "format", "raw", "layer", "aws"), Map.of()), "aws"),
        "target", new ResolvedAccount("local", new CloudAccountConfig("target", null, null,
            Map.of("directory", target.toString(), "format", format, "layer", "kvm"), Map.of()), "kvm"));
    OrchestratorSettings settings = OrchestratorSettings
        .defaults(agentJar, work.resolve("work"), new LocalChunkStore(work.resolve("store")))
        .withIntervals(Duration.ofMillis(50), Duration.ofSeconds(5), 6);
    try (Orchestrator orchestrator = new Orchestrator(TestDatabase.dataSource(TestDatabase.newDatabase()),
        Clock.systemUTC(), accountId -> {
          ResolvedAccount account = accounts.get(accountId);
          if (account == null) {
            throw new FerryException(ErrorCode.NOT_FOUND, accountId);
          }
          return account;
        }, CloudPlugins.load(MigrationBenchmark.class.getClassLoader()), settings, MigrationEventListener.NONE)) {
      orchestrator.start();
      String job = UUID.randomUUID().toString();
      long started = System.nanoTime();
      orchestrator.submit(new MigrationRequest(job, "bench", "source", image.getFileName().toString(), "target",
          Map.of()));
      MigrationStatus status;
      do {
        Thread.sleep(20);
        status = orchestrator.status(job).orElseThrow();
      } while (!status.state().finished());
      double seconds = (System.nanoTime() - started) / 1e9;
      if (status.state() != JobState.SUCCEEDED) {
        System.err.println("migration " + status.state() + ": " + status.errorCode() + " " + status.errorMessage());
        orchestrator.close();
        System.exit(1);
      }
      for (MigrationStatus.StepStatus step : status.steps()) {
        double stepSeconds = step.startedAt() == null || step.finishedAt() == null ? 0
            : Duration.between(step.startedAt(), step.finishedAt()).toMillis() / 1000.0;
        System.out.printf("step %-15s %-9s %7.2f s%n", step.name(), step.state(), stepSeconds);
      }
      System.out.printf("migration_seconds %.2f%n", seconds);
      System.out.println("result " + status.resultLocation());
    }
    System.exit(0);
  }
}
