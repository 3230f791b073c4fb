package io.ferry.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.orchestrator.support.Fixtures;
import io.ferry.orchestrator.support.Jobs;
import io.ferry.orchestrator.support.Leftovers;
import io.ferry.orchestrator.support.TestDatabase;
import io.ferry.standardization.bundle.LocalChunkStore;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.CloudPlugins;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Helper mode without a control plane the helper can reach: the helper (a real agent process of
 * the local cloud) never calls, so RESTORE takes it for dead after the silence limit, the job fails
 * with HOST_OPERATION_FAILED, and CLEANUP removes the helper, the volume and the token. The whole
 * protocol with the real server is tested in the system manager (HelperModeEndToEndIT).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HelperModeIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Path root;
  private Path workDirectory;
  private Orchestrator orchestrator;
  private Map<String, ResolvedAccount> accounts;

  @BeforeAll
  void setUp() throws Exception {
    assumeTrue(Fixtures.root(), "loop devices and mounts need root");
    Files.createDirectories(Path.of("target"));
    root = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "helper-mode-it-");
    workDirectory = root.resolve("work");
    Path tree = Fixtures.tree("aws", root);
    accounts = Map.of("aws", account("aws", "raw", root.resolve("aws")), "kvm", account("kvm", "qcow2", root.resolve("kvm")));
    Fixtures.gptDisk(tree, root.resolve("aws/images/debian-12-aws.raw"));
    int unusedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      unusedPort = socket.getLocalPort();
    }
    URI nobody = URI.create("http://127.0.0.1:" + unusedPort);
    OrchestratorSettings settings = OrchestratorSettings
        .defaults(Fixtures.agentJar(), workDirectory, new LocalChunkStore(root.resolve("store")))
        .withIntervals(Duration.ofMillis(100), Duration.ofSeconds(2), 6)
        .withChunkSize(1 << 20)
        .withWorkerName("helper-mode-it")
        .withHelperMode(HelperModeSettings.defaults().withControlPlane(() -> nobody)
            .withTiming(Duration.ofSeconds(3), Duration.ofSeconds(1)));
    DataSource dataSource = TestDatabase.dataSource(TestDatabase.newDatabase());
    orchestrator = new Orchestrator(dataSource, Clock.systemUTC(), accounts::get,
        CloudPlugins.load(getClass().getClassLoader()), settings, event -> {});
    orchestrator.start();
  }

  @AfterAll
  void tearDown() throws Exception {
    if (orchestrator != null) {
      orchestrator.close();
    }
    if (root != null) {
      Fixtures.call(root.getParent(), List.of("rm", "-rf", root.toString()));
    }
  }

  @Test
  void aHelperThatNeverCallsFailsTheJobAndIsRemoved() throws Exception {
    String job = UUID.randomUUID().toString();
    orchestrator.submit(new MigrationRequest(job, "tenant", "aws", "debian-12-aws.raw", "kvm", Map.of("mode", "helper")));
    MigrationStatus status = await(job);

    assertThat(status.state()).as(status.toString()).isEqualTo(JobState.FAILED);
    assertThat(status.errorStep()).isEqualTo(StepName.RESTORE);
    assertThat(status.errorCode()).isEqualTo("HOST_OPERATION_FAILED");
    assertThat(status.errorMessage()).contains("has not called the control plane", "taken for dead");
    assertThat(JSON.readTree(status.step(StepName.PLAN).result()).path("mode").asText()).isEqualTo("helper");
    JsonNode prepared = JSON.readTree(status.step(StepName.PREPARE_TARGET).result());
    assertThat(prepared.path("helperId").asText()).startsWith("helper-");
    assertThat(prepared.path("volumeId").asText()).startsWith("vol-");
    JsonNode cleanup = JSON.readTree(status.step(StepName.CLEANUP).result());
    assertThat(cleanup.path("agentTokensRevoked").asInt()).isEqualTo(1);
    assertThat(cleanup.path("deleted").toString()).contains("helper:", "volume:");
    assertThat(orchestrator.agentChannel().liveTokens(job)).isZero();
    assertThat(ProcessHandle.allProcesses().filter(process -> List.of(process.info().arguments().orElse(new String[0]))
        .contains("-Dferry.helper.account=" + root.resolve("kvm"))).toList()).as("helper processes").isEmpty();
    Leftovers.assertNone(root, Set.of(), workDirectory, List.of(job), List.of(root.resolve("aws"), root.resolve("kvm")));
  }

  private MigrationStatus await(String job) throws InterruptedException {
    return Jobs.await(orchestrator, job, Duration.ofMinutes(3), Duration.ofMillis(100));
  }

  private ResolvedAccount account(String id, String format, Path directory) throws Exception {
    Files.createDirectories(directory.resolve("images"));
    return new ResolvedAccount("local", new CloudAccountConfig(id, null, null, Map.of("directory", directory.toString(),
        "format", format, "layer", id, "agentJar", Fixtures.agentJar().toString()), Map.of()), id);
  }
}
