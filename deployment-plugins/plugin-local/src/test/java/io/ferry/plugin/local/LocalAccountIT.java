package io.ferry.plugin.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.plugin.tck.SeedImage;
import io.ferry.plugin.tck.TestDisk;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.spi.Architecture;
import io.ferry.standardization.spi.BootMode;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.CloudPlugin;
import io.ferry.standardization.spi.DirectUpload;
import io.ferry.standardization.spi.ImageInfo;
import io.ferry.standardization.spi.JobTag;
import io.ferry.standardization.spi.PluginContext;
import io.ferry.standardization.spi.RegisterRequest;
import io.ferry.standardization.spi.RegisteredImage;
import io.ferry.standardization.spi.UploadSpec;
import io.ferry.standardization.spi.VolumeRef;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.io.TempDir;

/** Behaviour of the local cloud beyond the shared contract, against real files and tools. */
class LocalAccountIT {

  private static final Instant NOW = Instant.parse("2026-03-04T05:06:07Z");

  @TempDir Path account;
  @TempDir Path work;

  private final JobTag tag = new JobTag("job-local-it");

  private CloudPlugin plugin(Map<String, String> extraSettings) {
    CloudAccountConfig base = LocalAccounts.config(account, "raw", null);
    Map<String, String> settings = new HashMap<>(base.settings());
    settings.putAll(extraSettings);
    return new LocalCloudPluginFactory()
        .create(new CloudAccountConfig("local-it", null, null, settings, Map.of()), context());
  }

  private CloudPlugin plugin() {
    return plugin(Map.of());
  }

  private PluginContext context() {
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    return new PluginContext() {
      @Override
      public Clock clock() {
        return clock;
      }

      @Override
      public Path scratchDirectory() {
        return work;
      }
    };
  }

  @Test
  void missingDirectoryIsNotFoundAndValidateCreatesTheFolders() {
    CloudPlugin missing = plugin(Map.of("directory", account.resolve("absent").toString()));
    assertCode(missing::validate, ErrorCode.NOT_FOUND);
    assertCode(missing::listImages, ErrorCode.NOT_FOUND);

    plugin().validate();
    assertThat(account.resolve("images")).isDirectory();
    assertThat(account.resolve("volumes")).isDirectory();
    assertThat(account.resolve("uploads")).isDirectory();
    assertThat(account.resolve("helpers")).isDirectory();
  }

  @Test
  void pathTraversalInIdsIsRefusedEverywhere() throws Exception {
    Files.writeString(account.resolve("secret.raw"), "not an image");
    CloudPlugin plugin = plugin();
    plugin.validate();
    assertCode(() -> plugin.describeImage("../secret.raw"), ErrorCode.INVALID_REQUEST);
    assertCode(() -> plugin.openImage("../secret.raw", tag), ErrorCode.INVALID_REQUEST);
    assertCode(() -> plugin.openImage("/etc/passwd", tag), ErrorCode.INVALID_REQUEST);
    assertCode(() -> plugin.deleteImage("../secret.raw"), ErrorCode.INVALID_REQUEST);
    assertCode(() -> plugin.deleteVolume(new VolumeRef("../secret.raw", 1)), ErrorCode.INVALID_REQUEST);
    assertCode(() -> plugin.registerImage(request("x", "../secret.raw")), ErrorCode.INVALID_REQUEST);
    assertThat(account.resolve("secret.raw")).exists();

    Files.createSymbolicLink(account.resolve("images").resolve("link.raw"), account.resolve("secret.raw"));
    assertCode(() -> plugin.describeImage("link.raw"), ErrorCode.NOT_FOUND);
    assertCode(() -> plugin.openImage("link.raw", tag), ErrorCode.NOT_FOUND);
    assertThat(plugin.listImages()).isEmpty();
  }

  @Test
  void imageWithoutSidecarIsDescribedFromItsPartitionTable() throws Exception {
    Path images = Files.createDirectories(account.resolve("images"));
    Path disk = images.resolve("hand-made.img");
    try (FileChannel channel = FileChannel.open(disk, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      channel.truncate(0);
      channel.write(ByteBuffer.allocate(1), (16L << 20) - 1);
    }
    run(
        "label: gpt\n"
            + "size=1MiB, type=21686148-6449-6E6F-744E-656564454649\n"
            + "size=4MiB, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n"
            + "type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n",
        "sfdisk", "--quiet", disk.toString());

    ImageInfo image = plugin().describeImage("hand-made.img");

    assertThat(image.name()).isEqualTo("hand-made");
    assertThat(image.format()).isEqualTo(DiskFormat.RAW);
    assertThat(image.virtualSize()).isEqualTo(16L << 20);
    assertThat(image.bootMode()).isEqualTo(BootMode.HYBRID);
    assertThat(image.architecture()).isEqualTo(Architecture.UNKNOWN);
    assertThat(image.cloudLayer()).as("the account's layer").isEqualTo("aws");
    assertThat(image.tags()).isEmpty();
    assertThat(plugin().listImages()).extracting(ImageInfo::id).containsExactly("hand-made.img");
  }

  @Test
  void corruptImageIsListedButOpeningItSaysCorrupt() throws Exception {
    Path images = Files.createDirectories(account.resolve("images"));
    byte[] header = new byte[4096];
    ByteBuffer.wrap(header).put(new byte[] {'Q', 'F', 'I', (byte) 0xfb}).putInt(3).putLong(0).putInt(0).putInt(99);
    Files.write(images.resolve("broken.qcow2"), header);
    Files.writeString(images.resolve("broken.qcow2.ferry.json"), "{ not json");
    CloudPlugin plugin = plugin();

    ImageInfo image = plugin.describeImage("broken.qcow2");

    assertThat(image.name()).as("described from the file when the sidecar is unreadable").isEqualTo("broken");
    assertThat(image.format()).isNull();
    assertThat(image.virtualSize()).isEqualTo(-1);
    assertThat(plugin.listImages()).extracting(ImageInfo::id).containsExactly("broken.qcow2");
    assertThatThrownBy(() -> plugin.openImage("broken.qcow2", tag).close())
        .isInstanceOfSatisfying(
            FerryException.class,
            e -> assertThat(e.code()).isIn(ErrorCode.IMAGE_CORRUPT, ErrorCode.IMAGE_FEATURE_UNSUPPORTED));
  }

  @Test
  void versionChangesWhenTheContentChanges() throws Exception {
    String imageId = LocalAccounts.seed(account, seed("versioned", 1));
    CloudPlugin plugin = plugin();
    String before = plugin.describeImage(imageId).version();
    assertThat(plugin.describeImage(imageId).version()).as("stable while unchanged").isEqualTo(before);

    Path file = account.resolve("images").resolve(imageId);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap("changed".getBytes(StandardCharsets.US_ASCII)), 4096);
    }
    Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(Instant.parse("2030-01-01T00:00:00Z")));

    assertThat(plugin.describeImage(imageId).version()).isNotEqualTo(before);
  }

  @Test
  void registeredImageCarriesItsFactsAndRegisteringTwiceGivesTheSameImage() throws Exception {
    CloudPlugin plugin = plugin();
    Path disk = TestDisk.write(work.resolve("disk.raw"), 2L << 20, 7);
    String uploadId = upload(plugin, "Debian 12 (AWS)", disk);

    RegisteredImage first = plugin.registerImage(request("Debian 12 (AWS)", uploadId));
    RegisteredImage second = plugin.registerImage(request("Debian 12 (AWS)", uploadId));

    assertThat(second).isEqualTo(first);
    assertThat(first.imageId()).isEqualTo("debian-12-aws.raw");
    assertThat(account.resolve("uploads")).isEmptyDirectory();
    ImageInfo image = plugin.describeImage(first.imageId());
    assertThat(image.name()).isEqualTo("Debian 12 (AWS)");
    assertThat(image.osName()).isEqualTo("Debian GNU/Linux 12");
    assertThat(image.bootMode()).isEqualTo(BootMode.BIOS);
    assertThat(image.architecture()).isEqualTo(Architecture.ARM64);
    assertThat(image.cloudLayer()).isEqualTo("kvm");
    assertThat(image.createdAt()).isEqualTo(NOW);
    assertThat(image.tags()).containsEntry(JobTag.KEY, tag.jobId()).containsEntry("team", "platform");

  }

  @Test
  void unfinishedUploadCannotBeRegistered() throws Exception {
    CloudPlugin plugin = plugin();
    try (DirectUpload upload =
        plugin.openDirectUpload(new UploadSpec("half", 1L << 20, BootMode.UEFI, Architecture.X86_64), tag)) {
      upload.writer().write(0, ByteBuffer.wrap(new byte[] {1}));
      assertThatThrownBy(() -> plugin.registerImage(request("half", upload.uploadId())))
          .isInstanceOfSatisfying(FerryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
          .hasMessageContaining("not finished");
      assertThat(account.resolve("images")).as("a refused registration reserves nothing").isEmptyDirectory();
    }
    assertThat(plugin.deleteTagged(tag, List.of()).complete()).isTrue();
    assertThat(LocalAccounts.leftovers(account, tag)).isEmpty();
  }

  @Test
  void sameNameFromAnotherJobGetsAnotherFile() throws Exception {
    CloudPlugin plugin = plugin();
    Path disk = TestDisk.write(work.resolve("disk.raw"), 1L << 20, 8);
    RegisteredImage first = plugin.registerImage(request("web", upload(plugin, "web", disk)));
    JobTag other = new JobTag("job-other");
    String otherUpload;
    try (DirectUpload upload = plugin.openDirectUpload(new UploadSpec("web", 1L << 20, BootMode.UEFI, Architecture.X86_64), other)) {
      TestDisk.copyInto(disk, upload.writer());
      upload.writer().finish();
      otherUpload = upload.uploadId();
    }
    RegisterRequest otherRequest =
        new RegisterRequest("web", null, otherUpload, BootMode.UEFI, Architecture.X86_64, false, null, null, other, Map.of());
    RegisteredImage second = plugin.registerImage(otherRequest);

    assertThat(first.imageId()).isEqualTo("web.raw");
    assertThat(second.imageId()).isEqualTo("web-2.raw");
    plugin.deleteTagged(other, List.of());
    assertThat(plugin.listImages()).extracting(ImageInfo::id).containsExactly("web.raw");
  }

  @Test
  void imageRegisteredFromAVolumeIsWrittenInTheAccountFormat() throws Exception {
    CloudPlugin plugin = plugin();
    Path disk = TestDisk.write(work.resolve("disk.raw"), 3L << 20, 9);
    VolumeRef volume = plugin.createVolume(Files.size(disk), tag);
    Path volumeFile = account.resolve("volumes").resolve(volume.id());
    Files.copy(disk, volumeFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    RegisteredImage image = plugin.registerImage(request("from-volume", volume.id()));

    try (DiskImageReader reader = plugin.openImage(image.imageId(), tag)) {
      assertThat(reader.format()).isEqualTo(DiskFormat.RAW);
      assertThat(TestDisk.firstDifference(reader, disk)).isEqualTo(-1);
    }
    assertThat(volumeFile).as("the volume stays until deleted").exists();
    plugin.deleteTagged(tag, List.of(image.imageId()));
    assertThat(volumeFile).doesNotExist();
    assertThat(plugin.describeImage(image.imageId()).id()).isEqualTo(image.imageId());
  }

  @Test
  void volumesAreSparseRoundedAndLimited() throws Exception {
    CloudPlugin plugin = plugin(Map.of("maxVolumeBytes", Long.toString(64L << 20)));
    VolumeRef volume = plugin.createVolume((32L << 20) + 1, tag);
    Path file = account.resolve("volumes").resolve(volume.id());

    assertThat(volume.sizeBytes()).isEqualTo(33L << 20);
    assertThat(Files.size(file)).isEqualTo(33L << 20);
    assertThat(allocatedBytes(file)).as("allocated bytes of a new volume").isLessThan(1L << 20);
    assertCode(() -> plugin.createVolume((64L << 20) + 1, tag), ErrorCode.CLOUD_QUOTA_EXCEEDED);
    assertCode(() -> plugin.createVolume(0, tag), ErrorCode.INVALID_REQUEST);
  }

  @Test
  void deleteImageRefusesImagesFerryDidNotRegister() throws Exception {
    String seeded = LocalAccounts.seed(account, seed("users-own", 2));
    CloudPlugin plugin = plugin();
    assertCode(() -> plugin.deleteImage(seeded), ErrorCode.INVALID_REQUEST);
    assertThat(plugin.describeImage(seeded).id()).isEqualTo(seeded);

    Path disk = TestDisk.write(work.resolve("disk.raw"), 1L << 20, 3);
    RegisteredImage image = plugin.registerImage(request("mine", upload(plugin, "mine", disk)));
    plugin.deleteImage(image.imageId());
    plugin.deleteImage(image.imageId());
    assertCode(() -> plugin.describeImage(image.imageId()), ErrorCode.NOT_FOUND);
  }

  @Test
  void cleanupFromAFreshProcessFindsEverythingEvenWithoutTheRegistry() throws Exception {
    Path agentJar = FakeAgentJar.build(work);
    CloudPlugin crashed = plugin(Map.of("agentJar", agentJar.toString()));
    crashed.launchHelper(new io.ferry.standardization.spi.HelperSpec("debian", Architecture.X86_64, "", Map.of()), tag);
    crashed.createVolume(1L << 20, tag);
    DirectUpload unfinished =
        crashed.openDirectUpload(new UploadSpec("half", 2L << 20, BootMode.UEFI, Architecture.X86_64), tag);
    unfinished.writer().write(0, ByteBuffer.wrap(new byte[] {1, 2, 3}));
    Path disk = TestDisk.write(work.resolve("disk.raw"), 1L << 20, 4);
    RegisteredImage image = crashed.registerImage(request("done", upload(crashed, "done", disk)));
    assertThat(LocalAccounts.leftovers(account, tag)).hasSizeGreaterThanOrEqualTo(5);

    // The worker dies without closing anything; the registry file is lost as well.
    Files.delete(account.resolve("ferry-registry.json"));
    var report = plugin().deleteTagged(tag, List.of());

    assertThat(report.complete()).as("report %s", report).isTrue();
    assertThat(report.deleted()).anyMatch(entry -> entry.startsWith("helper:"))
        .anyMatch(entry -> entry.startsWith("volume:"))
        .anyMatch(entry -> entry.startsWith("upload:"))
        .contains("image:" + image.imageId());
    assertThat(LocalAccounts.leftovers(account, tag)).isEmpty();
    unfinished.close();
  }

  @Test
  void terminatingAHelperEndsItsChildren() throws Exception {
    Path agentJar = FakeAgentJar.build(work);
    Path pidFile = work.resolve("child.pid");
    CloudPlugin plugin = plugin(Map.of("agentJar", agentJar.toString()));
    var helper =
        plugin.launchHelper(
            new io.ferry.standardization.spi.HelperSpec("debian", Architecture.X86_64, "--child-pid-file\n" + pidFile, Map.of()),
            tag);
    long childPid = Long.parseLong(waitForFile(pidFile).strip());
    ProcessHandle child = ProcessHandle.of(childPid).orElseThrow();
    assertThat(child.isAlive()).isTrue();

    plugin.terminateHelper(helper);

    child.onExit().get(10, TimeUnit.SECONDS);
    assertThat(child.isAlive()).isFalse();
    assertThat(LocalAccounts.leftovers(account, tag)).isEmpty();
  }

  @Test
  void aHelpersTemporaryFolderIsUnmountedAndDeletedWithIt() throws Exception {
    Path agentJar = FakeAgentJar.build(work);
    Path pidFile = work.resolve("child.pid");
    CloudPlugin plugin = plugin(Map.of("agentJar", agentJar.toString()));
    var helper =
        plugin.launchHelper(
            new io.ferry.standardization.spi.HelperSpec("debian", Architecture.X86_64, "--child-pid-file\n" + pidFile, Map.of()),
            tag);
    waitForFile(pidFile);
    Path scratch = account.resolve("helpers").resolve(helper.id() + ".tmp");
    assertThat(scratch).as("the helper's java.io.tmpdir").isDirectory();
    assertThat(ProcessHandle.allProcesses()
            .map(process -> String.join(" ", process.info().arguments().orElse(new String[0])))
            .filter(line -> line.contains(helper.id())))
        .singleElement().asString().contains("-Djava.io.tmpdir=" + scratch);
    // What a helper killed in the middle of an inject leaves: a file system mounted in its folder.
    Path mountPoint = Files.createDirectories(scratch.resolve("ferry-root-1"));
    Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint.toString())
        .redirectErrorStream(true).start();
    org.junit.jupiter.api.Assumptions.assumeTrue(mount.waitFor() == 0, "cannot mount a tmpfs here (needs root)");
    Files.writeString(mountPoint.resolve("inside-the-volume"), "kept until unmounted");

    var report = plugin.deleteTagged(tag, List.of());

    assertThat(report.complete()).as("report %s", report).isTrue();
    assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo"))).noneMatch(line -> line.contains(scratch.toString()));
    assertThat(scratch).doesNotExist();
    assertThat(LocalAccounts.leftovers(account, tag)).isEmpty();
  }

  @Test
  void helperGetsSecretsThroughItsEnvironmentNotItsCommandLine() throws Exception {
    Path agentJar = FakeAgentJar.build(work);
    Path written = work.resolve("token.txt");
    CloudPlugin plugin = plugin(Map.of("agentJar", agentJar.toString()));
    var spec =
        new io.ferry.standardization.spi.HelperSpec(
            "debian", Architecture.X86_64, "--write-environment\nFERRY_AGENT_TOKEN\n" + written, Map.of("env.FERRY_AGENT_TOKEN", "job-token-s3cret"));
    var helper = plugin.launchHelper(spec, tag);

    assertThat(waitForFile(written)).isEqualTo("job-token-s3cret");
    List<String> commandLines =
        ProcessHandle.allProcesses()
            .map(process -> String.join(" ", process.info().arguments().orElse(new String[0])))
            .filter(line -> line.contains(helper.id()))
            .toList();
    assertThat(commandLines).hasSize(1);
    assertThat(commandLines.get(0)).doesNotContain("s3cret");
    plugin.terminateHelper(helper);
    assertThat(LocalAccounts.leftovers(account, tag)).isEmpty();
  }

  @Test
  void helperNeedsAnAgentJar() {
    CloudPlugin plugin = plugin();
    assertThatThrownBy(
            () -> plugin.launchHelper(new io.ferry.standardization.spi.HelperSpec("debian", Architecture.X86_64, "", Map.of()), tag))
        .isInstanceOfSatisfying(FerryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
        .hasMessageContaining("agentJar");
    CloudPlugin missingJar = plugin(Map.of("agentJar", work.resolve("absent.jar").toString()));
    assertCode(
        () -> missingJar.launchHelper(new io.ferry.standardization.spi.HelperSpec("debian", Architecture.X86_64, "", Map.of()), tag),
        ErrorCode.INVALID_REQUEST);
    plugin.deleteTagged(tag, List.of());
  }

  @Test
  void fullFileSystemIsNoSpaceAndLeavesNothing() throws Exception {
    Path small = Files.createDirectories(work.resolve("small"));
    Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", small.toString()).redirectErrorStream(true).start();
    boolean mounted = mount.waitFor(30, TimeUnit.SECONDS) && mount.exitValue() == 0;
    org.junit.jupiter.api.Assumptions.assumeTrue(mounted, "cannot mount a small tmpfs here (needs root): " + new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    try {
      CloudPlugin plugin = plugin(Map.of("directory", small.toString()));
      plugin.validate();
      Path disk = TestDisk.write(work.resolve("big.raw"), 8L << 20, 5);
      DirectUpload upload = plugin.openDirectUpload(new UploadSpec("big", 8L << 20, BootMode.UEFI, Architecture.X86_64), tag);
      assertThatThrownBy(() -> TestDisk.copyInto(disk, upload.writer()))
          .isInstanceOfSatisfying(FerryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NO_SPACE))
          .hasMessageContaining("no space");
      upload.close();
      assertThat(LocalAccounts.leftovers(small, tag)).isEmpty();
      assertThat(plugin.deleteTagged(tag, List.of()).complete()).isTrue();
    } finally {
      new ProcessBuilder("umount", small.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
    }
  }

  // ---------------------------------------------------------------- helpers

  private String upload(CloudPlugin plugin, String name, Path disk) throws Exception {
    try (DirectUpload upload = plugin.openDirectUpload(new UploadSpec(name, Files.size(disk), BootMode.BIOS, Architecture.ARM64), tag)) {
      TestDisk.copyInto(disk, upload.writer());
      upload.writer().finish();
      return upload.uploadId();
    }
  }

  private RegisterRequest request(String name, String source) {
    return new RegisterRequest(
        name, "test image", source, BootMode.BIOS, Architecture.ARM64, false, "Debian GNU/Linux 12", "kvm", tag,
        Map.of("team", "platform"));
  }

  private SeedImage seed(String name, long seed) throws IOException {
    return new SeedImage(name, TestDisk.write(work.resolve(name + ".raw"), 1L << 20, seed), BootMode.UEFI, Architecture.X86_64, "Debian");
  }

  private static void assertCode(ThrowingCallable action, ErrorCode code) {
    assertThatThrownBy(action).isInstanceOfSatisfying(FerryException.class, e -> assertThat(e.code()).isEqualTo(code));
  }

  private static long allocatedBytes(Path file) throws Exception {
    Process stat = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).start();
    String[] parts = new String(stat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip().split(" ");
    stat.waitFor(10, TimeUnit.SECONDS);
    return Long.parseLong(parts[0]) * Long.parseLong(parts[1]);
  }

  private static void run(String input, String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("%s: %s", String.join(" ", command), output).isZero();
  }

  /** Waits (bounded) for a file an external process writes. */
  private static String waitForFile(Path file) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.exists(file)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the helper did not write " + file + " within 30 s");
      }
      Thread.sleep(50);
    }
    return Files.readString(file);
  }
}
