package io.ferry.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.standardization.image.ova.TwoDiskOvf;
import io.ferry.orchestrator.support.Fixtures;
import io.ferry.orchestrator.support.Jobs;
import io.ferry.orchestrator.support.Leftovers;
import io.ferry.orchestrator.support.TestDatabase;
import io.ferry.standardization.bundle.LocalChunkStore;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.CloudPlugins;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Whole migrations between local cloud accounts of a real GPT + ext4 disk, with the orchestrator's
 * workers in this JVM: the result's format, qemu-img check, the agent's detect and a file-tree
 * comparison; bundle reuse; a corrupt source; a target without space; cancel mid-RESTORE.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MigrationIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Path root;
  private Path workDirectory;
  private Path tiny;
  private final Map<String, ResolvedAccount> accounts = new HashMap<>();
  private final List<MigrationEvent> events = new CopyOnWriteArrayList<>();
  private volatile StepHook hook = StepHook.NONE;
  private Orchestrator orchestrator;
  private io.ferry.orchestrator.internal.JobStore jobStore;
  private Path sourceTree;

  @BeforeAll
  void setUp() throws Exception {
    assumeTrue(Fixtures.root(), "loop devices and mounts need root");
    Files.createDirectories(Path.of("target"));
    root = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "migration-it-");
    workDirectory = root.resolve("work");
    sourceTree = Fixtures.tree("aws", root);
    account("aws-raw", "raw", "aws", root.resolve("aws-raw"));
    account("kvm-qcow2", "qcow2", "kvm", root.resolve("kvm-qcow2"));
    account("vsphere-vmdk", "vmdk-streamOptimized", "vsphere", root.resolve("vsphere-vmdk"));
    account("aws-broken", "qcow2", "aws", root.resolve("aws-broken"));
    tiny = root.resolve("tiny");
    Files.createDirectories(tiny);
    Fixtures.run(root, "mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", tiny.toString());
    account("kvm-tiny", "qcow2", "kvm", tiny);
    Fixtures.gptDisk(sourceTree, root.resolve("aws-raw/images/debian-12-aws.raw"));
    Fixtures.run(root, "cp", "--sparse=always", root.resolve("aws-raw/images/debian-12-aws.raw").toString(),
        root.resolve("aws-raw/images/debian-12-aws-e2e.raw").toString());
    Path broken = root.resolve("aws-broken/images/broken.qcow2");
    Fixtures.run(root, "qemu-img", "convert", "-O", "qcow2", root.resolve("aws-raw/images/debian-12-aws.raw").toString(),
        broken.toString());
    try (RandomAccessFile file = new RandomAccessFile(broken.toFile(), "rw")) {
      file.seek(40); // l1_table_offset: far past the end of the file
      file.writeLong(1L << 40);
    }
    OrchestratorSettings settings = OrchestratorSettings
        .defaults(Fixtures.agentJar(), workDirectory, new LocalChunkStore(root.resolve("store")))
        .withWorkerThreads(2)
        .withIntervals(Duration.ofMillis(100), Duration.ofSeconds(2), 6)
        .withRetries(3, Duration.ofMillis(200), Duration.ofSeconds(1))
        .withChunkSize(1 << 20)
        .withHook((jobId, step, bytes) -> hook.reached(jobId, step, bytes))
        .withWorkerName("migration-it");
    javax.sql.DataSource dataSource = TestDatabase.dataSource(TestDatabase.newDatabase());
    jobStore = new io.ferry.orchestrator.internal.JobStore(dataSource, Clock.systemUTC());
    orchestrator = new Orchestrator(dataSource, Clock.systemUTC(),
        this::resolve, CloudPlugins.load(getClass().getClassLoader()), settings, events::add);
    orchestrator.start();
  }

  @AfterAll
  void tearDown() throws Exception {
    if (orchestrator != null) {
      orchestrator.close();
    }
    if (tiny != null) {
      Fixtures.call(root, List.of("umount", tiny.toString()));
      Fixtures.call(root.getParent(), List.of("rm", "-rf", root.toString()));
    }
  }

  @Test
  void migratesAnAwsRawImageToKvmQcow2AndReusesItsBundleForVsphere() throws Exception {
    String first = submit("aws-raw", "debian-12-aws-e2e.raw", "kvm-qcow2");
    MigrationStatus kvm = await(first);
    assertThat(kvm.state()).as(describe(kvm)).isEqualTo(JobState.SUCCEEDED);
    for (StepName step : StepName.values()) {
      assertThat(kvm.step(step).state()).as(step.name()).isEqualTo(StepState.SUCCEEDED);
    }
    // What EXPORT read stays its byte count after the step ends: billing prices the egress from it.
    assertThat(kvm.step(StepName.EXPORT).bytesDone()).as("EXPORT's bytes").isGreaterThan(1L << 20);
    assertThat(kvm.step(StepName.PLAN).bytesDone()).as("a step without bytes shows 1 of 1").isEqualTo(1);
    Path kvmImage = Path.of(kvm.resultLocation());
    checkResult(kvmImage, "qcow2", "kvm", kvm);
    assertThat(JSON.readTree(kvm.step(StepName.VERIFY).result()).path("actual").asText()).isEqualTo(kvm.diskDigest());

    String second = submit("aws-raw", "debian-12-aws-e2e.raw", "vsphere-vmdk");
    MigrationStatus vsphere = await(second);
    assertThat(vsphere.state()).as(describe(vsphere)).isEqualTo(JobState.SUCCEEDED);
    assertThat(vsphere.bundleId()).isEqualTo(kvm.bundleId());
    for (StepName step : List.of(StepName.EXPORT, StepName.STRIP, StepName.BUNDLE)) {
      assertThat(vsphere.step(step).state()).as(step + " with a reused bundle").isEqualTo(StepState.SKIPPED);
    }
    checkResult(Path.of(vsphere.resultLocation()), "vmdk", "vsphere", vsphere);

    assertThat(events).anySatisfy(event -> {
      assertThat(event.jobId()).isEqualTo(first);
      assertThat(event.step()).isEqualTo(StepName.RESTORE);
      assertThat(event.bytesTotal()).isPositive();
    });
    assertThat(events).anySatisfy(event -> {
      assertThat(event.jobId()).isEqualTo(first);
      assertThat(event.jobState()).isEqualTo(JobState.SUCCEEDED);
    });
    assertNothingLeft(List.of(first, second));
  }

  @Test
  void twoAccountsOnOneFolderKeepTheRegisteredImage() throws Exception {
    // A second account on the source's folder (another format and layer): the source account's
    // cleanup must not take the image the target account registered there.
    account("kvm-on-aws-folder", "qcow2", "kvm", root.resolve("aws-raw"));
    String job = submit("aws-raw", "debian-12-aws.raw", "kvm-on-aws-folder");
    MigrationStatus status = await(job);
    assertThat(status.state()).as(describe(status)).isEqualTo(JobState.SUCCEEDED);
    Path image = Path.of(status.resultLocation());
    assertThat(image.getParent()).isEqualTo(root.resolve("aws-raw/images"));
    assertThat(image).isRegularFile();
    assertThat(JSON.readTree(status.step(StepName.CLEANUP).result()).path("kept").get(0).asText())
        .isEqualTo(status.resultImageId());
    checkResult(image, "qcow2", "kvm", status);
    accounts.remove("kvm-on-aws-folder");
    Files.delete(image);
    try (var sidecars = Files.list(image.getParent())) {
      for (Path sidecar : sidecars.filter(file -> file.getFileName().toString().startsWith(image.getFileName() + ".")).toList()) {
        Files.delete(sidecar);
      }
    }
  }

  /** Ferry moves one disk per image: an OVA's data disk is named in EXPORT's warning, not silently dropped. */
  @Test
  void anOvaWithADataDiskMigratesItsBootDiskAndSaysWhichDiskStaysBehind() throws Exception {
    Path work = Files.createDirectories(root.resolve("ova-work"));
    account("aws-ova", "ova", "aws", root.resolve("aws-ova")); // its own account: other tests list aws-raw
    Fixtures.run(work, "qemu-img", "convert", "-O", "vmdk", "-o", "subformat=streamOptimized",
        root.resolve("aws-raw/images/debian-12-aws.raw").toString(), work.resolve("system.vmdk").toString());
    Fixtures.run(work, "qemu-img", "create", "-f", "vmdk", "-o", "subformat=streamOptimized",
        work.resolve("data.vmdk").toString(), "8M");
    long capacity = Files.size(root.resolve("aws-raw/images/debian-12-aws.raw"));
    Files.writeString(work.resolve("vm.ovf"), TwoDiskOvf.envelope("data.vmdk", 8L << 20, "system.vmdk", capacity));
    Fixtures.run(work, "tar", "-cf", root.resolve("aws-ova/images/two-disks.ova").toString(),
        "vm.ovf", "data.vmdk", "system.vmdk");

    String job = submit("aws-ova", "two-disks.ova", "kvm-qcow2");
    MigrationStatus status = await(job);
    assertThat(status.state()).as(describe(status)).isEqualTo(JobState.SUCCEEDED);
    JsonNode export = JSON.readTree(status.step(StepName.EXPORT).result());
    assertThat(export.path("format").asText()).isEqualTo("ova");
    assertThat(export.path("virtualSize").asLong()).isEqualTo(capacity);
    assertThat(export.path("otherDisks")).hasSize(1);
    assertThat(export.path("otherDisks").get(0).asText()).isEqualTo("disk data (file data.vmdk, 8388608 bytes)");
    assertThat(export.path("warning").asText())
        .isEqualTo("the source image holds 2 disks; only its boot disk is migrated, not: disk data (file data.vmdk, 8388608 bytes)");
    checkResult(Path.of(status.resultLocation()), "qcow2", "kvm", status);

    // the same image again: its bundle is reused, EXPORT is skipped, and PLAN repeats the warning
    String again = submit("aws-ova", "two-disks.ova", "kvm-qcow2");
    MigrationStatus second = await(again);
    assertThat(second.state()).as(describe(second)).isEqualTo(JobState.SUCCEEDED);
    assertThat(second.step(StepName.EXPORT).state()).isEqualTo(StepState.SKIPPED);
    JsonNode plan = JSON.readTree(second.step(StepName.PLAN).result());
    assertThat(plan.path("bundleReused").asBoolean()).isTrue();
    assertThat(plan.path("otherDisks").get(0).asText()).isEqualTo("disk data (file data.vmdk, 8388608 bytes)");
    assertThat(plan.path("warning").asText())
        .startsWith("the source image holds 2 disks; only its boot disk is migrated, not: disk data")
        .contains("was made from it by job " + job);
    assertNothingLeft(List.of(job, again));
  }

  @Test
  void aCorruptSourceImageFailsClearlyAndLeavesNothing() throws Exception {
    String job = submit("aws-broken", "broken.qcow2", "kvm-qcow2");
    MigrationStatus status = await(job);
    assertThat(status.state()).isEqualTo(JobState.FAILED);
    assertThat(status.errorCode()).as(describe(status)).isEqualTo("IMAGE_CORRUPT");
    assertThat(status.errorStep()).isIn(StepName.PLAN, StepName.EXPORT);
    assertThat(status.errorMessage()).isNotBlank();
    assertThat(status.step(StepName.CLEANUP).state()).isEqualTo(StepState.SUCCEEDED);
    assertThat(status.step(StepName.UPLOAD).state()).isEqualTo(StepState.CANCELLED);
    assertThat(status.step(status.errorStep()).attempts()).as("IMAGE_CORRUPT is not retried").isEqualTo(1);
    assertNothingLeft(List.of(job));
  }

  @Test
  void aTargetWithoutSpaceFailsClearlyAndLeavesNothing() throws Exception {
    String job = submit("aws-raw", "debian-12-aws.raw", "kvm-tiny");
    MigrationStatus status = await(job);
    assertThat(status.state()).isEqualTo(JobState.FAILED);
    assertThat(status.errorCode()).as(describe(status)).isEqualTo("NO_SPACE");
    assertThat(status.errorStep()).isEqualTo(StepName.UPLOAD);
    assertThat(status.step(StepName.CLEANUP).state()).isEqualTo(StepState.SUCCEEDED);
    try (var files = Files.list(tiny.resolve("images"))) {
      assertThat(files.toList()).isEmpty();
    }
    assertNothingLeft(List.of(job));
  }

  @Test
  void cancelMidRestoreStopsPromptlyAndCleansUp() throws Exception {
    String job = UUID.randomUUID().toString();
    CountDownLatch inRestore = new CountDownLatch(1);
    CountDownLatch cancelled = new CountDownLatch(1);
    List<Long> bytesAfterCancel = new CopyOnWriteArrayList<>();
    hook = (jobId, step, bytes) -> {
      if (!jobId.equals(job) || step != StepName.RESTORE) {
        return;
      }
      if (inRestore.getCount() > 0 && bytes > 0) {
        inRestore.countDown();
        try {
          cancelled.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      } else if (inRestore.getCount() == 0) {
        bytesAfterCancel.add(bytes);
      }
    };
    try {
      orchestrator.submit(new MigrationRequest(job, "tenant", "aws-raw", "debian-12-aws.raw", "vsphere-vmdk", Map.of()));
      assertThat(inRestore.await(120, TimeUnit.SECONDS)).as("RESTORE started").isTrue();
      assertThat(orchestrator.cancel(job, "the user changed their mind")).isTrue();
      cancelled.countDown();
      MigrationStatus status = await(job);
      assertThat(status.state()).as(describe(status)).isEqualTo(JobState.CANCELLED);
      assertThat(status.errorCode()).isEqualTo("CANCELLED");
      assertThat(status.errorMessage()).isEqualTo("the user changed their mind");
      assertThat(status.step(StepName.RESTORE).state()).isEqualTo(StepState.CANCELLED);
      assertThat(status.step(StepName.RESTORE).attempts()).isEqualTo(1);
      for (StepName step : List.of(StepName.INJECT, StepName.UPLOAD, StepName.REGISTER, StepName.VERIFY)) {
        assertThat(status.step(step).state()).isEqualTo(StepState.CANCELLED);
        assertThat(status.step(step).attempts()).isZero();
      }
      assertThat(status.step(StepName.CLEANUP).state()).isEqualTo(StepState.SUCCEEDED);
      assertThat(bytesAfterCancel).as("block boundaries passed after the cancel").hasSizeLessThanOrEqualTo(1);
      assertThat(orchestrator.cancel(job, "again")).as("a finished job cannot be cancelled").isFalse();
      assertNothingLeft(List.of(job));
    } finally {
      hook = StepHook.NONE;
    }
  }

  @Test
  void retryableErrorsAreRetriedWithBackoffAndOthersFailAtOnce() throws Exception {
    String retried = UUID.randomUUID().toString();
    String failing = UUID.randomUUID().toString();
    String timingOut = UUID.randomUUID().toString();
    java.util.concurrent.atomic.AtomicInteger planCalls = new java.util.concurrent.atomic.AtomicInteger();
    hook = (jobId, step, bytes) -> {
      if (jobId.equals(retried) && step == StepName.PLAN && planCalls.incrementAndGet() == 1) {
        throw new io.ferry.standardization.FerryException(io.ferry.standardization.ErrorCode.CLOUD_THROTTLED, "slow down");
      }
      if (jobId.equals(failing) && step == StepName.PREPARE_TARGET) {
        throw new io.ferry.standardization.FerryException(io.ferry.standardization.ErrorCode.CLOUD_PERMISSION_DENIED,
            "no permission to create volumes");
      }
      if (jobId.equals(timingOut) && step == StepName.PLAN) {
        throw new io.ferry.standardization.FerryException(io.ferry.standardization.ErrorCode.TIMEOUT, "took too long");
      }
    };
    try {
      for (String job : List.of(retried, failing, timingOut)) {
        orchestrator.submit(new MigrationRequest(job, "tenant", "aws-raw", "debian-12-aws.raw", "kvm-qcow2", Map.of()));
      }
      orchestrator.submit(new MigrationRequest(retried, "tenant", "aws-raw", "debian-12-aws.raw", "kvm-qcow2", Map.of()));
      MigrationStatus ok = await(retried);
      assertThat(ok.state()).as(describe(ok)).isEqualTo(JobState.SUCCEEDED);
      assertThat(jobStore.attempts(retried).stream().filter(attempt -> attempt.step() == StepName.PLAN)
              .filter(attempt -> !attempt.outcome().equals("WAITING")))
          .extracting(io.ferry.orchestrator.internal.JobStore.Attempt::outcome, io.ferry.orchestrator.internal.JobStore.Attempt::errorCode)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("RETRY", "CLOUD_THROTTLED"),
              org.assertj.core.groups.Tuple.tuple("SUCCEEDED", null));
      MigrationStatus denied = await(failing);
      assertThat(denied.state()).isEqualTo(JobState.FAILED);
      assertThat(denied.errorCode()).isEqualTo("CLOUD_PERMISSION_DENIED");
      assertThat(denied.errorStep()).isEqualTo(StepName.PREPARE_TARGET);
      assertThat(denied.step(StepName.PREPARE_TARGET).attempts()).as("not retryable").isEqualTo(1);
      assertThat(denied.step(StepName.UPLOAD).state()).isEqualTo(StepState.CANCELLED);
      MigrationStatus slow = await(timingOut);
      assertThat(slow.state()).isEqualTo(JobState.FAILED);
      assertThat(slow.errorCode()).isEqualTo("TIMEOUT");
      assertThat(jobStore.attempts(timingOut).stream().filter(attempt -> attempt.step() == StepName.PLAN)
              .map(io.ferry.orchestrator.internal.JobStore.Attempt::outcome))
          .as("retryable, up to maxAttempts").containsExactly("RETRY", "RETRY", "FAILED");
      assertNothingLeft(List.of(retried, failing, timingOut));
    } finally {
      hook = StepHook.NONE;
    }
  }

  private void checkResult(Path image, String qemuFormat, String layer, MigrationStatus status) throws Exception {
    JsonNode info = JSON.readTree(Fixtures.run(root, "qemu-img", "info", "--output=json", image.toString()));
    assertThat(info.path("format").asText()).isEqualTo(qemuFormat);
    if ("vmdk".equals(qemuFormat)) {
      assertThat(info.path("format-specific").path("data").path("create-type").asText()).isEqualTo("streamOptimized");
    }
    Fixtures.run(root, "qemu-img", "check", image.toString());
    Path scratch = Files.createDirectories(root.resolve("detect"));
    String detected = Fixtures.run(root, "java", "-jar", Fixtures.agentJar().toString(), "detect", "--image",
        image.toString(), "--output", "json", "--scratch", scratch.toString());
    JsonNode system = JSON.readTree(detected.substring(detected.indexOf('{')));
    List<String> present = new ArrayList<>();
    system.path("layers").forEach(presence -> {
      if (presence.path("present").asBoolean()) {
        present.add(presence.path("cloud").asText());
      }
    });
    assertThat(present).as("layers the agent detects on the result").containsExactly(layer);

    Map<String, String> before = Fixtures.snapshot(sourceTree);
    Map<String, String> after = Fixtures.rootSnapshot(image, scratch);
    Set<String> layerPaths = new TreeSet<>();
    for (StepName step : List.of(StepName.STRIP, StepName.INJECT)) {
      String result = step == StepName.STRIP ? stripReportOf(status) : status.step(step).result();
      JSON.readTree(result).path("changes").forEach(change -> layerPaths.add(change.path("path").asText()));
    }
    Set<String> differing = new TreeSet<>();
    Set<String> all = new TreeSet<>(before.keySet());
    all.addAll(after.keySet());
    for (String path : all) {
      if (!java.util.Objects.equals(before.get(path), after.get(path))) {
        differing.add(path);
      }
    }
    differing.removeIf(path -> path.equals("/var/lib/ferry") || path.startsWith("/var/lib/ferry/")
        || layerPaths.contains(path) || layerPaths.stream().anyMatch(changed -> changed.startsWith(path + "/")));
    assertThat(differing).as("paths outside the layer that differ from the source").isEmpty();
    assertThat(layerPaths).as("the strip and inject reports name changes").isNotEmpty();
  }

  /** The strip report: the job's own, or (bundle reused) the one the bundle's first job stored. */
  private String stripReportOf(MigrationStatus status) {
    return status.step(StepName.STRIP).result() != null ? status.step(StepName.STRIP).result()
        : orchestrator.status(firstJobWithBundle(status.bundleId())).orElseThrow().step(StepName.STRIP).result();
  }

  private final Map<String, String> jobsByBundle = new HashMap<>();

  private String firstJobWithBundle(String bundleId) {
    return jobsByBundle.get(bundleId);
  }

  private void assertNothingLeft(List<String> jobs) throws Exception {
    List<Path> accountFolders = accounts.values().stream()
        .map(account -> Path.of(account.config().settings().get("directory"))).toList();
    Leftovers.assertNone(root, Set.of(tiny), workDirectory, jobs, accountFolders);
  }

  private String submit(String source, String image, String target) {
    String job = UUID.randomUUID().toString();
    orchestrator.submit(new MigrationRequest(job, "tenant", source, image, target, Map.of()));
    return job;
  }

  private MigrationStatus await(String job) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
    while (Instant.now().isBefore(deadline)) {
      MigrationStatus status = orchestrator.status(job).orElseThrow();
      if (status.state().finished()) {
        if (status.step(StepName.STRIP).state() == StepState.SUCCEEDED) {
          jobsByBundle.putIfAbsent(status.bundleId(), job);
        }
        return status;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("job " + job + " did not finish: " + describe(orchestrator.status(job).orElseThrow()));
  }

  private static String describe(MigrationStatus status) {
    return Jobs.describe(status);
  }

  private void account(String id, String format, String layer, Path directory) throws Exception {
    Files.createDirectories(directory.resolve("images"));
    accounts.put(id, new ResolvedAccount("local",
        new CloudAccountConfig(id, null, null, Map.of("directory", directory.toString(), "format", format, "layer", layer),
            Map.of()), layer));
  }

  private ResolvedAccount resolve(String accountId) {
    ResolvedAccount account = accounts.get(accountId);
    if (account == null) {
      throw new io.ferry.standardization.FerryException(io.ferry.standardization.ErrorCode.NOT_FOUND, accountId);
    }
    return account;
  }
}
