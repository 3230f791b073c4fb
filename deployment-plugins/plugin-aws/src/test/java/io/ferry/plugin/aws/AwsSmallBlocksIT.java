package io.ferry.plugin.aws;

import io.ferry.standardization.testing.MotoServer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.plugin.aws.internal.AwsCloudPlugin;
import io.ferry.plugin.aws.internal.SnapshotBlockReader;
import io.ferry.plugin.aws.internal.SnapshotBlockWriter;
import io.ferry.plugin.aws.internal.SnapshotUpload;
import io.ferry.plugin.tck.TestDisk;
import io.ferry.standardization.image.Extent;
import io.ferry.standardization.image.ExtentType;
import io.ferry.standardization.spi.Architecture;
import io.ferry.standardization.spi.BootMode;
import io.ferry.standardization.spi.JobTag;
import io.ferry.standardization.spi.UploadSpec;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ebs.model.PutSnapshotBlockRequest;

/**
 * moto's own block size of 512 bytes (AWS uses 512 KiB): the plugin writes and reads with
 * whatever block size the API reports, so a disk uploaded and read back in 512-byte blocks is
 * byte-identical, and only non-zero sectors are sent.
 */
class AwsSmallBlocksIT {

  @TempDir static Path motoFolder;
  @TempDir Path folder;

  private static MotoServer moto;
  private static MotoAccount account;

  @BeforeAll
  static void startMoto() throws Exception {
    assumeTrue(MotoServer.executable().isPresent(), "moto_server is not installed; run scripts/test.sh");
    moto = MotoServer.start(motoFolder, Map.of("FERRY_MOTO_BLOCK_SIZE", "512"));
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

  @Test
  void diskWrittenAndReadInFiveHundredTwelveByteBlocksIsIdentical() throws Exception {
    long size = 384 * 1024;
    Path raw = folder.resolve("small.raw");
    try (FileChannel channel = FileChannel.open(raw, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 1000);
      channel.write(ByteBuffer.wrap(bytes(7000, 5)), 65_000);
      channel.write(ByteBuffer.wrap(bytes(512, 9)), size - 512);
    }
    JobTag tag = new JobTag("it-" + UUID.randomUUID());
    RequestRecorder recorder = new RequestRecorder();
    try (AwsCloudPlugin plugin =
        (AwsCloudPlugin) new AwsCloudPluginFactory(List.of(recorder)).create(account.accountConfig(null), TestContexts.fixed(folder))) {
      String snapshotId;
      try (SnapshotUpload upload = plugin.openDirectUpload(new UploadSpec("ferry-it-small", size, BootMode.BIOS, Architecture.ARM64), tag)) {
        SnapshotBlockWriter writer = upload.writer();
        assertThat(writer.blockSize()).isEqualTo(512);
        TestDisk.copyInto(raw, writer);
        writer.finish();
        snapshotId = upload.uploadId();
        assertThat(writer.stats().blocksSent()).isEqualTo(SourceDisk.nonZeroBlocks(raw, 512).size());
      }
      assertThat(recorder.requests(PutSnapshotBlockRequest.class)).hasSize(SourceDisk.nonZeroBlocks(raw, 512).size());

      try (SnapshotBlockReader reader = plugin.openSnapshot(snapshotId)) {
        assertThat(reader.blockSize()).isEqualTo(512);
        assertThat(TestDisk.extentViolation(reader)).isNull();
        assertThat(TestDisk.firstDifference(reader, raw)).isEqualTo(-1);
        long dataBytes = 0;
        for (Iterator<Extent> extents = reader.extents(); extents.hasNext(); ) {
          Extent extent = extents.next();
          if (extent.type() == ExtentType.DATA) {
            dataBytes += extent.length();
          }
        }
        assertThat(dataBytes).isEqualTo(512L * SourceDisk.nonZeroBlocks(raw, 512).size());
        // An unaligned read across many blocks, fetched in parallel.
        ByteBuffer across = ByteBuffer.allocate(6000);
        reader.read(65_100, across);
        assertThat(across.array()).isEqualTo(java.util.Arrays.copyOfRange(bytes(7000, 5), 100, 6100));
      }
      assertThat(plugin.deleteTagged(tag, List.of()).deleted()).containsExactly("snapshot:" + snapshotId);
      assertThat(account.listTagged(tag)).isEmpty();
    }
  }

  private static byte[] bytes(int length, int seed) {
    byte[] data = new byte[length];
    new java.util.Random(seed).nextBytes(data);
    return data;
  }
}
