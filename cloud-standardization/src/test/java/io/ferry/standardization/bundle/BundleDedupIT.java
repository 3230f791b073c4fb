package io.ferry.standardization.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImages;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bundle an image, change 1% of its blocks at scattered places, bundle again: the second bundle
 * stores at most 2% of the image's data in new chunks. The chunk size must not exceed the block
 * size of the changes for this to hold: with 4 KiB changes spread over 64 KiB chunks, about 15%
 * of the chunks change (see docs/bundle-manifest.md, "Choosing a chunk size").
 */
class BundleDedupIT {

  @TempDir Path folder;

  @ParameterizedTest(name = "{0}-byte blocks changed, {1}-byte chunks, {2} MiB image")
  @CsvSource({"4096, 4096, 8", "65536, 65536, 32"})
  void changingOnePercentOfTheBlocksStoresAtMostTwoPercentAnew(int blockSize, int chunkSize, int mebibytes)
      throws Exception {
    int size = mebibytes << 20;
    Path image = folder.resolve("disk.raw");
    byte[] content = new byte[size];
    new Random(1).nextBytes(content);
    Files.write(image, content);
    Bundles bundles = new Bundles(new LocalChunkStore(folder.resolve("store")), Clock.systemUTC());
    BundleOptions options = BundleOptions.defaults().withChunkSize(chunkSize).withThreads(2, 8);
    BundleResult first = bundle(bundles, "v1", image, options);

    int blocks = size / blockSize;
    TreeSet<Integer> changed = new TreeSet<>();
    Random random = new Random(2);
    while (changed.size() < blocks / 100) {
      changed.add(random.nextInt(blocks));
    }
    try (FileChannel channel = FileChannel.open(image, StandardOpenOption.WRITE)) {
      byte[] fresh = new byte[blockSize];
      for (int block : changed) {
        random.nextBytes(fresh);
        channel.write(ByteBuffer.wrap(fresh), (long) block * blockSize);
      }
    }
    BundleResult second = bundle(bundles, "v2", image, options);

    long imageData = first.manifest().dataBytes();
    double newShare = (double) second.newChunkBytes() / imageData;
    System.out.printf("dedup: %d of %d %d-byte blocks changed, %d-byte chunks: %d new chunk bytes = %.2f%% "
            + "of %d data bytes (%d stored bytes)%n", changed.size(), blocks, blockSize, chunkSize,
        second.newChunkBytes(), newShare * 100, imageData, second.newStoredBytes());
    assertThat(second.newChunkBytes()).isLessThanOrEqualTo(imageData * 2 / 100);
    assertThat(second.chunksWritten()).isEqualTo(changed.size());
    BundleDiff diff = bundles.diff("v1", "v2");
    assertThat(diff.changes()).extracting(change -> (int) (change.offset() / blockSize))
        .containsExactlyElementsOf(changed);
    assertThat(diff.newChunkBytes()).isEqualTo(second.newChunkBytes());
  }

  private static BundleResult bundle(Bundles bundles, String id, Path image, BundleOptions options) throws Exception {
    try (DiskImageReader reader = DiskImages.open(image, DiskFormat.RAW)) {
      return bundles.bundle(id, reader, BundleManifest.Source.UNKNOWN, options);
    }
  }
}
