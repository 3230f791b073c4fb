package io.ferry.plugin.aws;

import io.ferry.plugin.aws.internal.AwsCloudPlugin;
import io.ferry.plugin.aws.internal.AwsSettings;
import io.ferry.plugin.aws.internal.SnapshotBlockWriter;
import io.ferry.plugin.aws.internal.SnapshotUpload;
import io.ferry.standardization.ProgressListener;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImages;
import io.ferry.standardization.spi.Architecture;
import io.ferry.standardization.spi.BootMode;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.JobTag;
import io.ferry.standardization.spi.UploadSpec;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.services.ebs.model.ListSnapshotBlocksResponse;

/**
 * The Java half of scripts/bench-aws.sh (not a test): {@code upload ENDPOINT DISK PARALLELISM}
 * uploads a disk image through the plugin's direct upload and prints one line of numbers;
 * {@code count ENDPOINT SNAPSHOT_ID} prints the allocated blocks of a snapshot (to count what
 * another tool sent).
 */
public final class AwsUploadBenchmark {

  private AwsUploadBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 3 && args[0].equals("count")) {
      count(URI.create(args[1]), args[2]);
    } else if (args.length == 4 && args[0].equals("upload")) {
      upload(args[1], Path.of(args[2]), args[3]);
    } else {
      System.err.println("usage: upload ENDPOINT DISK PARALLELISM | count ENDPOINT SNAPSHOT_ID");
      System.exit(2);
    }
  }

  private static void count(URI endpoint, String snapshotId) {
    try (MotoAccount account = new MotoAccount(endpoint)) {
      long blocks = 0;
      int blockSize = 0;
      String token = null;
      do {
        String next = token;
        ListSnapshotBlocksResponse page = account.ebs().listSnapshotBlocks(request -> request.snapshotId(snapshotId).nextToken(next));
        blocks += page.blocks().size();
        blockSize = page.blockSize();
        token = page.nextToken();
      } while (token != null);
      System.out.printf(Locale.ROOT, "blocks=%d block_size=%d%n", blocks, blockSize);
    }
  }

  private static void upload(String endpoint, Path disk, String parallelism) throws Exception {
    CloudAccountConfig config =
        new CloudAccountConfig("bench", "us-east-1", endpoint,
            Map.of(AwsSettings.POLL_INTERVAL_MILLIS, "100", AwsSettings.UPLOAD_PARALLELISM, parallelism),
            Map.of(AwsSettings.ACCESS_KEY_ID, MotoAccount.ACCESS_KEY, AwsSettings.SECRET_ACCESS_KEY, MotoAccount.SECRET_KEY));
    JobTag tag = new JobTag("bench-" + System.nanoTime());
    try (AwsCloudPlugin plugin = (AwsCloudPlugin) new AwsCloudPluginFactory().create(config, TestContexts.fixed(disk.getParent()));
        DiskImageReader reader = DiskImages.open(disk)) {
      long start = System.nanoTime();
      SnapshotBlockWriter.Stats stats;
      String snapshotId;
      try (SnapshotUpload upload = plugin.openDirectUpload(new UploadSpec("bench", reader.virtualSize(), BootMode.UEFI, Architecture.X86_64), tag)) {
        DiskImages.convert(reader, upload.writer(), ProgressListener.NONE);
        stats = upload.writer().stats();
        snapshotId = upload.uploadId();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long totalBlocks = (reader.virtualSize() + stats.blockSize() - 1) / stats.blockSize();
      System.out.printf(Locale.ROOT,
          "snapshot=%s blocks_sent=%d total_blocks=%d block_size=%d bytes_sent=%d disk_bytes=%d seconds=%.2f sent_mb_per_s=%.1f disk_mb_per_s=%.1f%n",
          snapshotId, stats.blocksSent(), totalBlocks, stats.blockSize(), stats.bytesSent(), reader.virtualSize(), seconds,
          stats.bytesSent() / 1e6 / seconds, reader.virtualSize() / 1e6 / seconds);
    }
  }
}
