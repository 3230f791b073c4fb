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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * VERIFY's boot check on the local cloud: a real Debian 12 disk with an AWS layer (GRUB for BIOS,
 * an initramfs with the NVMe driver but no virtio: it cannot boot on KVM as it is) migrated from
 * an aws/raw account to a kvm/qcow2 account with {@code bootCheck=true}: INJECT adds the virtio
 * drivers and regenerates the initramfs, and QEMU boots it with a NoCloud seed whose user-data
 * prints a marker on the console: cloud-init (Debian's, asking only EC2 in the source) now reads
 * the NoCloud datasource INJECT configured.
 * Without its kernel the same disk fails VERIFY with BOOT_CHECK_FAILED, once, with GRUB's error in
 * the message. Nothing is left: no QEMU process, overlay, mount or loop device. Fixtures:
 * 35-bootable-disk.sh.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BootCheckMigrationIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Path root;
  private Path workDirectory;
  private final Map<String, ResolvedAccount> accounts = new HashMap<>();
  private Orchestrator orchestrator;

  @BeforeAll
  void setUp() throws Exception {
    assumeTrue(Fixtures.root(), "loop devices and mounts need root");
    assumeTrue(onPath("qemu-system-x86_64"),
        "qemu-system-x86_64 is not installed (Debian package qemu-system-x86; scripts/test-packages.apt has it)");
    Path project = Fixtures.projectRoot();
    Fixtures.run(project, "bash", "scripts/test-install.d/35-bootable-disk.sh");
    Path fixtures = project.resolve(".ferry/fixtures/bootable-disk");
    assumeTrue(Files.isRegularFile(fixtures.resolve("debian-12-aws.raw")),
        "the bootable disk fixtures need root and an amd64 host (35-bootable-disk.sh skipped them)");
    Files.createDirectories(Path.of("target"));
    root = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "boot-check-it-");
    workDirectory = root.resolve("work");
    account("aws-raw", "raw", "aws", root.resolve("aws-raw"));
    account("kvm-qcow2", "qcow2", "kvm", root.resolve("kvm-qcow2"));
    for (String disk : List.of("debian-12-aws.raw", "debian-12-aws-nokernel.raw")) {
      Fixtures.run(root, "cp", "--sparse=always", fixtures.resolve(disk).toString(),
          root.resolve("aws-raw/images").resolve(disk).toString());
    }
    OrchestratorSettings settings = OrchestratorSettings
        .defaults(Fixtures.agentJar(), workDirectory, new LocalChunkStore(root.resolve("store")))
        .withWorkerThreads(2)
        .withIntervals(Duration.ofMillis(200), Duration.ofSeconds(2), 6)
        .withRetries(3, Duration.ofMillis(200), Duration.ofSeconds(1))
        .withWorkerName("boot-check-it");
    javax.sql.DataSource dataSource = TestDatabase.dataSource(TestDatabase.newDatabase());
    orchestrator = new Orchestrator(dataSource, Clock.systemUTC(), this::resolve,
        CloudPlugins.load(getClass().getClassLoader()), settings, event -> { });
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
  void anAwsDiskMigratedToKvmBootsAndVerifyRecordsTheSignal() throws Exception {
    String job = submit("debian-12-aws.raw");
    MigrationStatus status = await(job);
    assertThat(status.state()).as(describe(status)).isEqualTo(JobState.SUCCEEDED);
    JsonNode verify = JSON.readTree(status.step(StepName.VERIFY).result());
    assertThat(verify.path("actual").asText()).isEqualTo(status.diskDigest());
    JsonNode boot = verify.path("boot");
    System.out.println("boot check of " + job + ": " + boot.path("detail").asText() + " in "
        + boot.path("seconds").asDouble() + " s: " + boot.path("signal").asText());
    assertThat(boot.path("booted").asBoolean()).as(boot.toPrettyString()).isTrue();
    // The kvm layer's datasource is NoCloud: the plugin attached a seed whose user-data printed
    // the marker, so the datasource INJECT configured works (the AWS image asked EC2 only).
    assertThat(boot.path("signal").asText()).startsWith("FERRY-BOOT-CHECK-OK ");
    assertThat(boot.path("detail").asText()).contains("NoCloud seed").contains("cloud-init read");
    assertThat(boot.path("seconds").asDouble()).isPositive();
    assertThat(boot.path("consoleTail").size()).isPositive();
    assertThat(Path.of(status.resultLocation())).exists();
    assertNothingLeft(job);
  }

  @Test
  void aDiskWithoutItsKernelFailsVerifyWithTheConsoleTail() throws Exception {
    String job = submit("debian-12-aws-nokernel.raw");
    MigrationStatus status = await(job);
    assertThat(status.state()).as(describe(status)).isEqualTo(JobState.FAILED);
    assertThat(status.errorCode()).isEqualTo("BOOT_CHECK_FAILED");
    assertThat(status.errorStep()).isEqualTo(StepName.VERIFY);
    assertThat(status.errorMessage()).contains("did not boot").contains("you need to load the kernel first");
    assertThat(status.step(StepName.VERIFY).attempts()).as("BOOT_CHECK_FAILED is not retried").isEqualTo(1);
    JsonNode boot = JSON.readTree(status.step(StepName.VERIFY).result()).path("boot");
    assertThat(boot.path("booted").asBoolean()).isFalse();
    assertThat(boot.path("consoleTail").toString()).contains("not found");
    assertThat(status.step(StepName.CLEANUP).state()).isEqualTo(StepState.SUCCEEDED);
    try (Stream<Path> images = Files.list(root.resolve("kvm-qcow2/images"))) {
      assertThat(images.map(Path::toString).filter(name -> name.contains("nokernel")).toList())
          .as("the image that did not boot is not kept").isEmpty();
    }
    assertNothingLeft(job);
  }

  private void assertNothingLeft(String job) throws Exception {
    List<Path> folders = accounts.values().stream()
        .map(account -> Path.of(account.config().settings().get("directory"))).toList();
    Leftovers.assertNone(root, Set.of(), workDirectory, List.of(job), folders);
    for (Path folder : folders) {
      Path boots = folder.resolve("boots");
      if (Files.isDirectory(boots)) {
        try (Stream<Path> files = Files.list(boots)) {
          assertThat(files.toList()).as(boots + " after the job").isEmpty();
        }
      }
      String marker = "file=" + boots + "/";
      assertThat(ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
              .filter(p -> Stream.of(p.info().arguments().orElse(new String[0])).anyMatch(a -> a.startsWith(marker)))
              .toList())
          .as("QEMU processes of " + folder).isEmpty();
    }
  }

  private String submit(String image) {
    String job = UUID.randomUUID().toString();
    orchestrator.submit(new MigrationRequest(job, "tenant", "aws-raw", image, "kvm-qcow2",
        Map.of("bootCheck", "true", "bootCheckTimeoutSeconds", "480")));
    return job;
  }

  private void account(String id, String format, String layer, Path directory) throws Exception {
    Files.createDirectories(directory.resolve("images"));
    // TCG: nested KVM on the test machines starts QEMU but hangs the guest after GRUB (measured).
    accounts.put(id, new ResolvedAccount("local", new CloudAccountConfig(id, null, null,
        Map.of("directory", directory.toString(), "format", format, "layer", layer, "bootAccelerator", "tcg"), Map.of()),
        layer));
  }

  private ResolvedAccount resolve(String accountId) {
    ResolvedAccount account = accounts.get(accountId);
    if (account == null) {
      throw new io.ferry.standardization.FerryException(io.ferry.standardization.ErrorCode.NOT_FOUND, accountId);
    }
    return account;
  }

  private static boolean onPath(String binary) {
    return Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(":"))
        .anyMatch(folder -> !folder.isEmpty() && Files.isExecutable(Path.of(folder, binary)));
  }

  private MigrationStatus await(String job) throws InterruptedException {
    return Jobs.await(orchestrator, job, Duration.ofMinutes(15), Duration.ofMillis(500));
  }

  private static String describe(MigrationStatus status) {
    return Jobs.describe(status);
  }
}
