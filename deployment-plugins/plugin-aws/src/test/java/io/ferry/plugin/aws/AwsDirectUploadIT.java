package io.ferry.plugin.aws;

import io.ferry.standardization.testing.MotoServer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.plugin.aws.internal.AwsCloudPlugin;
import io.ferry.plugin.aws.internal.AwsSettings;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.ProgressListener;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.DiskImages;
import io.ferry.standardization.image.QemuImg;
import io.ferry.standardization.image.WriteOptions;
import io.ferry.standardization.spi.Architecture;
import io.ferry.standardization.spi.BootMode;
import io.ferry.standardization.spi.CleanupReport;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.CloudPlugin;
import io.ferry.standardization.spi.DirectUpload;
import io.ferry.standardization.spi.HelperRef;
import io.ferry.standardization.spi.HelperSpec;
import io.ferry.standardization.spi.VolumeRef;
import io.ferry.standardization.spi.JobTag;
import io.ferry.standardization.spi.PluginContext;
import io.ferry.standardization.spi.RegisterRequest;
import io.ferry.standardization.spi.RegisteredImage;
import io.ferry.standardization.spi.UploadSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ebs.model.Block;
import software.amazon.awssdk.services.ebs.model.ChecksumAggregationMethod;
import software.amazon.awssdk.services.ebs.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.ebs.model.CompleteSnapshotRequest;
import software.amazon.awssdk.services.ebs.model.ListSnapshotBlocksResponse;
import software.amazon.awssdk.services.ebs.model.PutSnapshotBlockRequest;
import software.amazon.awssdk.services.ebs.model.StartSnapshotRequest;
import software.amazon.awssdk.services.ec2.model.ArchitectureValues;
import software.amazon.awssdk.services.ec2.model.BootModeValues;
import software.amazon.awssdk.services.ec2.model.RegisterImageRequest;
import software.amazon.awssdk.services.ec2.model.CreateSnapshotRequest;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.sts.model.AssumeRoleRequest;

/**
 * A local qcow2 (made by qemu-img, random data and holes) uploaded to moto through the EBS direct
 * APIs and registered as an AMI; the snapshot's blocks read back with GetSnapshotBlock equal the
 * source; the AMI exported back to a local qcow2 is identical per {@code qemu-img compare}; every
 * request Ferry sent is checked where moto is lax; cleanup leaves nothing after success, a failed
 * upload and an abandoned one.
 */
class AwsDirectUploadIT {

  private static final long DISK_SIZE = (6L << 20) + 1536;

  @TempDir static Path motoFolder;
  @TempDir Path folder;

  private static MotoServer moto;
  private static MotoAccount account;

  private final RequestRecorder recorder = new RequestRecorder();
  private CloudPlugin plugin;
  private JobTag tag;

  @BeforeAll
  static void startMoto() throws Exception {
    assumeTrue(MotoServer.executable().isPresent(), "moto_server is not installed; run scripts/test.sh");
    assumeTrue(QemuImg.available(), "qemu-img is not installed");
    moto = MotoServer.start(motoFolder, Map.of());
    account = new MotoAccount(moto.endpoint());
  }

  @AfterAll
  static void stopMoto() throws Exception {
    if (account != null) {
      account.close();
    }
    if (moto != null) {
      moto.close();
    }
  }

  @BeforeEach
  void createPlugin() {
    plugin = new AwsCloudPluginFactory(List.of(recorder)).create(account.accountConfig(null), context());
    tag = new JobTag("it-" + UUID.randomUUID());
  }

  @AfterEach
  void closePlugin() {
    plugin.close();
  }

  @Test
  void localQcow2GoesToAnAmiAndComesBackIdentical() throws Exception {
    Path raw = SourceDisk.writeRaw(folder.resolve("source.raw"), DISK_SIZE, 11);
    Path source = SourceDisk.toQcow2(raw, folder.resolve("source.qcow2"));

    String snapshotId;
    try (DiskImageReader reader = DiskImages.open(source);
        DirectUpload upload = plugin.openDirectUpload(new UploadSpec("ferry-it-roundtrip", reader.virtualSize(), BootMode.UEFI, Architecture.X86_64), tag)) {
      assertThat(reader.format()).isEqualTo(DiskFormat.QCOW2);
      DiskImages.convert(reader, upload.writer(), ProgressListener.NONE);
      snapshotId = upload.uploadId();
    }
    RegisteredImage image =
        plugin.registerImage(
            new RegisterRequest("ferry-it-roundtrip", "round trip", snapshotId, BootMode.UEFI, Architecture.X86_64, true,
                "Debian GNU/Linux 12", "aws", tag, Map.of("team", "ferry")));

    // The snapshot's blocks, read back by the test itself, are exactly the non-zero blocks of the source.
    ListSnapshotBlocksResponse listed = account.ebs().listSnapshotBlocks(request -> request.snapshotId(snapshotId));
    int blockSize = listed.blockSize();
    assertThat(blockSize).isEqualTo(512 * 1024);
    List<Integer> expectedBlocks = SourceDisk.nonZeroBlocks(raw, blockSize);
    assertThat(listed.blocks().stream().map(Block::blockIndex).sorted().toList()).isEqualTo(expectedBlocks);
    try (FileChannel channel = FileChannel.open(raw, StandardOpenOption.READ)) {
      for (Block block : listed.blocks()) {
        byte[] actual =
            account.ebs().getSnapshotBlockAsBytes(
                request -> request.snapshotId(snapshotId).blockIndex(block.blockIndex()).blockToken(block.blockToken())).asByteArray();
        assertThat(actual).as("block %d", block.blockIndex())
            .isEqualTo(SourceDisk.block(channel, (long) block.blockIndex() * blockSize, blockSize));
      }
    }

    assertRequestsAreWhatAwsWants(snapshotId, expectedBlocks.size(), blockSize);

    // The AMI, exported through the plugin into a local qcow2, is the source per qemu-img.
    Path exported = folder.resolve("exported.qcow2");
    try (DiskImageReader reader = plugin.openImage(image.imageId(), tag);
        DiskImageWriter writer = DiskImages.create(exported, DiskFormat.QCOW2, reader.virtualSize(), WriteOptions.DEFAULTS)) {
      assertThat(reader.virtualSize()).isEqualTo(1L << 30);
      DiskImages.convert(reader, writer, ProgressListener.NONE);
    }
    QemuImg.Result compare = QemuImg.compare(source, "qcow2", exported, "qcow2");
    assertThat(compare.exitCode()).as(compare.output()).isZero();

    // An AMI with a data volume besides its root: the root is read, the data volume named.
    String twoDisks =
        account.ec2().registerImage(request -> request.name("ferry-it-two-disks").rootDeviceName("/dev/xvda")
            .architecture(ArchitectureValues.X86_64).virtualizationType("hvm")
            .blockDeviceMappings(
                mapping -> mapping.deviceName("/dev/xvda").ebs(ebs -> ebs.snapshotId(snapshotId)),
                mapping -> mapping.deviceName("/dev/sdb").ebs(ebs -> ebs.snapshotId(snapshotId).volumeSize(5))))
            .imageId();
    try (DiskImageReader reader = plugin.openImage(twoDisks, tag)) {
      assertThat(reader.virtualSize()).isEqualTo(1L << 30);
      assertThat(reader.otherDisks()).containsExactly("disk /dev/sdb (snapshot " + snapshotId + ", " + (5L << 30) + " bytes)");
    } finally {
      account.ec2().deregisterImage(request -> request.imageId(twoDisks));
    }
    try (DiskImageReader reader = plugin.openImage(image.imageId(), tag)) {
      assertThat(reader.otherDisks()).as("Ferry's own AMIs have their root only").isEmpty();
    }

    CleanupReport report = plugin.deleteTagged(tag, List.of());
    assertThat(report.complete()).as("%s", report).isTrue();
    assertThat(report.deleted()).contains("image:" + image.imageId(), "snapshot:" + snapshotId);
    assertThat(account.listTagged(tag)).isEmpty();
  }

  @Test
  void deletingAnImageRemovesItsSnapshotToo() throws Exception {
    Path raw = SourceDisk.writeRaw(folder.resolve("rollback.raw"), DISK_SIZE, 14);
    String snapshotId;
    try (DiskImageReader reader = DiskImages.open(raw);
        DirectUpload upload = plugin.openDirectUpload(new UploadSpec("ferry-it-rollback", reader.virtualSize(), BootMode.UEFI, Architecture.X86_64), tag)) {
      DiskImages.convert(reader, upload.writer(), ProgressListener.NONE);
      snapshotId = upload.uploadId();
    }
    RegisteredImage image =
        plugin.registerImage(new RegisterRequest("ferry-it-rollback", null, snapshotId, BootMode.UEFI, Architecture.X86_64, true, null, null, tag, Map.of()));
    plugin.deleteImage(image.imageId());
    plugin.deleteImage(image.imageId());
    assertThat(catchThrowableOfType(FerryException.class, () -> plugin.describeImage(image.imageId())).code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(account.listTagged(tag)).isEmpty();
  }

  @Test
  void uploadFailingInTheMiddleLeavesNothing() throws Exception {
    Path raw = SourceDisk.writeRaw(folder.resolve("failing.raw"), DISK_SIZE, 12);
    try (DiskImageReader reader = DiskImages.open(raw)) {
      try (DirectUpload upload = plugin.openDirectUpload(new UploadSpec("ferry-it-failing", reader.virtualSize(), BootMode.BIOS, Architecture.X86_64), tag)) {
        DiskImageWriter failing = new FailingWriter(upload.writer(), 2);
        assertThatThrownBy(() -> DiskImages.convert(reader, failing, ProgressListener.NONE)).hasMessageContaining("injected failure");
        assertThat(account.listTagged(tag)).as("the pending snapshot exists during the upload").hasSize(1);
      }
    }
    assertThat(account.listTagged(tag)).as("after closing the failed upload").isEmpty();
    CleanupReport report = plugin.deleteTagged(tag, List.of());
    assertThat(report.complete()).isTrue();
    assertThat(report.deleted()).isEmpty();
  }

  @Test
  void crashedUploadIsFoundByItsTagAndAbandonedUploadIsDeleted() throws Exception {
    Path raw = SourceDisk.writeRaw(folder.resolve("crashed.raw"), DISK_SIZE, 13);
    DirectUpload crashed = plugin.openDirectUpload(new UploadSpec("ferry-it-crashed", DISK_SIZE, BootMode.UEFI, Architecture.X86_64), tag);
    DirectUpload abandoned = plugin.openDirectUpload(new UploadSpec("ferry-it-abandoned", DISK_SIZE, BootMode.UEFI, Architecture.X86_64), tag);
    try (FileChannel channel = FileChannel.open(raw, StandardOpenOption.READ)) {
      byte[] first = SourceDisk.block(channel, 0, 1 << 20);
      crashed.writer().write(0, ByteBuffer.wrap(first));
      abandoned.writer().write(0, ByteBuffer.wrap(first));
    }
    abandoned.close();
    abandoned.close();
    assertThat(account.listTagged(tag)).as("only the crashed upload's snapshot").singleElement().asString()
        .contains(crashed.uploadId());

    // The worker died: nobody closes the crashed upload; the job's cleanup finds it by its tag.
    CleanupReport first = plugin.deleteTagged(tag, List.of());
    CleanupReport second = plugin.deleteTagged(tag, List.of());
    assertThat(first.deleted()).containsExactly("snapshot:" + crashed.uploadId());
    assertThat(second.deleted()).isEmpty();
    assertThat(account.listTagged(tag)).isEmpty();
    crashed.close();
  }

  @Test
  void helperModeVolumeIsSnapshottedAndRegistered() throws Exception {
    String helperImage = account.registerHelperImage();
    HelperRef helper =
        plugin.launchHelper(new HelperSpec("debian", Architecture.X86_64, "#!/bin/sh\nexec ferry-agent daemon\n", Map.of("imageId", helperImage)), tag);
    VolumeRef volume = plugin.createVolume(3L << 30, tag);
    assertThat(volume.sizeBytes()).isEqualTo(3L << 30);
    assertThat(plugin.attachVolume(volume, helper)).isEqualTo("/dev/sdf");
    plugin.detachVolume(volume);
    RegisteredImage image =
        plugin.registerImage(
            new RegisterRequest("ferry-it-helper", null, volume.id(), BootMode.BIOS, Architecture.ARM64, false, "Rocky Linux 9", "aws", tag, Map.of()));
    assertThat(plugin.describeImage(image.imageId()).architecture()).isEqualTo(Architecture.ARM64);
    assertThat(plugin.describeImage(image.imageId()).bootMode()).isEqualTo(BootMode.BIOS);

    RunInstancesRequest run = recorder.requests(RunInstancesRequest.class).get(0);
    assertThat(new String(Base64.getDecoder().decode(run.userData()), java.nio.charset.StandardCharsets.UTF_8)).contains("ferry-agent daemon");
    assertThat(run.tagSpecifications()).extracting(TagSpecification::resourceType).contains(ResourceType.INSTANCE, ResourceType.VOLUME);
    CreateSnapshotRequest snapshot = recorder.requests(CreateSnapshotRequest.class).get(0);
    assertThat(snapshot.volumeId()).isEqualTo(volume.id());
    assertThat(snapshot.tagSpecifications().get(0).tags()).anyMatch(t -> t.key().equals(JobTag.KEY) && t.value().equals(tag.jobId()));
    RegisterImageRequest register = recorder.requests(RegisterImageRequest.class).get(0);
    assertThat(register.bootMode()).isEqualTo(BootModeValues.LEGACY_BIOS);
    assertThat(register.enaSupport()).isFalse();

    CleanupReport report = plugin.deleteTagged(tag, List.of());
    assertThat(report.complete()).as("%s", report).isTrue();
    assertThat(report.deleted()).contains("instance:" + helper.id(), "volume:" + volume.id(), "image:" + image.imageId());
    assertThat(account.listTagged(tag)).isEmpty();
  }

  @Test
  void unknownAmiIsNotFound() {
    FerryException open = catchThrowableOfType(FerryException.class, () -> plugin.openImage("ami-0123456789abcdef0", tag));
    assertThat(open.code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(open.getMessage()).contains("ami-0123456789abcdef0");
    FerryException describe = catchThrowableOfType(FerryException.class, () -> plugin.describeImage("ami-0123456789abcdef0"));
    assertThat(describe.code()).isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void roleIsAssumedThroughSts() {
    CloudAccountConfig base = account.accountConfig(null);
    Map<String, String> settings = new HashMap<>(base.settings());
    settings.put(AwsSettings.ROLE_ARN, "arn:aws:iam::123456789012:role/ferry-migrations");
    settings.put(AwsSettings.EXTERNAL_ID, "ferry-tenant-1");
    CloudAccountConfig withRole = new CloudAccountConfig(base.accountId(), base.region(), base.endpoint(), settings, base.secrets());
    try (AwsCloudPlugin assumed = (AwsCloudPlugin) new AwsCloudPluginFactory(List.of(recorder)).create(withRole, context())) {
      assumed.validate();
      assertThat(assumed.listImages()).isNotNull();
    }
    List<AssumeRoleRequest> assumes = recorder.requests(AssumeRoleRequest.class);
    assertThat(assumes).isNotEmpty();
    assertThat(assumes.get(0).roleArn()).isEqualTo("arn:aws:iam::123456789012:role/ferry-migrations");
    assertThat(assumes.get(0).externalId()).isEqualTo("ferry-tenant-1");
  }

  private void assertRequestsAreWhatAwsWants(String snapshotId, int expectedBlocks, int blockSize) throws Exception {
    StartSnapshotRequest start = recorder.requests(StartSnapshotRequest.class).get(0);
    assertThat(start.volumeSize()).isEqualTo(1L);
    assertThat(start.clientToken()).isNotBlank();
    assertThat(start.tags()).anyMatch(t -> t.key().equals(JobTag.KEY) && t.value().equals(tag.jobId()));

    List<RequestRecorder.Recorded> puts =
        recorder.all().stream().filter(entry -> entry.request() instanceof PutSnapshotBlockRequest).toList();
    assertThat(puts).hasSize(expectedBlocks);
    List<RequestRecorder.Recorded> byIndex = new ArrayList<>(puts);
    byIndex.sort(Comparator.comparing(entry -> ((PutSnapshotBlockRequest) entry.request()).blockIndex()));
    MessageDigest aggregate = MessageDigest.getInstance("SHA-256");
    for (RequestRecorder.Recorded entry : byIndex) {
      PutSnapshotBlockRequest put = (PutSnapshotBlockRequest) entry.request();
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(entry.body());
      assertThat(put.snapshotId()).isEqualTo(snapshotId);
      assertThat(put.checksumAlgorithm()).isEqualTo(ChecksumAlgorithm.SHA256);
      assertThat(put.checksum()).as("checksum of block %d", put.blockIndex()).isEqualTo(Base64.getEncoder().encodeToString(digest));
      assertThat(put.dataLength()).isEqualTo(blockSize).isEqualTo(entry.body().length);
      aggregate.update(digest);
    }

    CompleteSnapshotRequest complete = recorder.requests(CompleteSnapshotRequest.class).get(0);
    assertThat(complete.changedBlocksCount()).isEqualTo(expectedBlocks);
    assertThat(complete.checksumAlgorithm()).isEqualTo(ChecksumAlgorithm.SHA256);
    assertThat(complete.checksumAggregationMethod()).isEqualTo(ChecksumAggregationMethod.LINEAR);
    assertThat(complete.checksum()).isEqualTo(Base64.getEncoder().encodeToString(aggregate.digest()));

    RegisterImageRequest register = recorder.requests(RegisterImageRequest.class).get(0);
    assertThat(register.enaSupport()).isTrue();
    assertThat(register.bootMode()).isEqualTo(BootModeValues.UEFI);
    assertThat(register.architecture()).isEqualTo(ArchitectureValues.X86_64);
    assertThat(register.virtualizationType()).isEqualTo("hvm");
    assertThat(register.rootDeviceName()).isEqualTo("/dev/xvda");
    assertThat(register.blockDeviceMappings()).singleElement().satisfies(mapping -> {
      assertThat(mapping.deviceName()).isEqualTo("/dev/xvda");
      assertThat(mapping.ebs().snapshotId()).isEqualTo(snapshotId);
    });
    assertThat(register.tagSpecifications()).singleElement().satisfies(specification -> {
      assertThat(specification.resourceType()).isEqualTo(ResourceType.IMAGE);
      assertThat(specification.tags()).anyMatch(t -> t.key().equals(JobTag.KEY) && t.value().equals(tag.jobId()));
      assertThat(specification.tags()).anyMatch(t -> t.key().equals("team") && t.value().equals("ferry"));
    });
  }

  private static PluginContext context() {
    Clock clock = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
    return new PluginContext() {
      @Override
      public Clock clock() {
        return clock;
      }

      @Override
      public Path scratchDirectory() {
        return Path.of(System.getProperty("java.io.tmpdir"));
      }
    };
  }

  /** A writer that passes writes through and fails on the write after {@code allowed}. */
  private static final class FailingWriter implements DiskImageWriter {
    private final DiskImageWriter delegate;
    private int allowed;

    FailingWriter(DiskImageWriter delegate, int allowed) {
      this.delegate = delegate;
      this.allowed = allowed;
    }

    @Override
    public DiskFormat format() {
      return delegate.format();
    }

    @Override
    public long virtualSize() {
      return delegate.virtualSize();
    }

    @Override
    public void write(long offset, ByteBuffer data) throws IOException {
      if (allowed-- <= 0) {
        throw new IOException("injected failure at offset " + offset);
      }
      delegate.write(offset, data);
    }

    @Override
    public void finish() throws IOException {
      delegate.finish();
    }

    @Override
    public void close() throws IOException {
      delegate.close();
    }
  }
}
