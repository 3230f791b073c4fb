package io.ferry.standardization.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restores into sparse raw files (resumable) and onto existing devices written in place. */
class RestoreTargetsIT {

  private static final int CHUNK = 64 << 10;

  @TempDir Path folder;
  private LocalChunkStore store;
  private byte[] content;

  @BeforeEach
  void bundle() throws IOException {
    content = TestData.disk(4 << 20, 48 << 10, 61);
    Path image = Files.write(folder.resolve("disk.raw"), content);
    store = new LocalChunkStore(folder.resolve("store"));
    try (DiskImageReader reader = DiskImages.open(image, DiskFormat.RAW)) {
      new Bundles(store, Clock.systemUTC()).bundle("disk", reader, BundleManifest.Source.UNKNOWN,
          BundleOptions.defaults().withChunkSize(CHUNK));
    }
  }

  @Test
  void theShellRecipeOfTheDocsGivesTheManifestsDiskDigestForARestoredDisk() throws Exception {
    Path target = folder.resolve("restored.raw");
    new Bundles(store, Clock.systemUTC()).restoreToFile("disk", target, RestoreOptions.defaults());
    BundleManifest manifest = new Bundles(store, Clock.systemUTC()).manifest("disk");
    // docs/bundle-manifest.md, "Checking a restored disk by hand"
    Process shell = new ProcessBuilder("bash", "-c",
        "set -o pipefail; head -c " + manifest.disk().virtualSize() + " \"" + target + "\" | split -b "
            + manifest.chunking().chunkSize() + " --filter=sha256sum | cut -c1-64 | xxd -r -p | sha256sum")
        .redirectErrorStream(true).start();
    String output = new String(shell.getInputStream().readAllBytes()).trim();
    assertThat(shell.waitFor()).as(output).isZero();
    assertThat(output.substring(0, 64)).isEqualTo(manifest.disk().sha256());
  }

  @Test
  void anInterruptedRestoreToAFileResumesFromItsCheckpoint() throws Exception {
    Path target = folder.resolve("out.raw");
    Bundles failing = new Bundles(new FailingReads(store, 20), Clock.systemUTC());
    RestoreOptions options = RestoreOptions.defaults().withCheckpointEveryChunks(4);

    assertThatThrownBy(() -> failing.restoreToFile("disk", target, options))
        .isInstanceOfSatisfying(io.ferry.standardization.FerryException.class, failure -> {
          org.assertj.core.api.Assertions.assertThat(failure.code()).isEqualTo(io.ferry.standardization.ErrorCode.IO_ERROR);
          org.assertj.core.api.Assertions.assertThat(failure.retryable()).isTrue();
        });
    assertThat(target).doesNotExist();
    assertThat(folder.resolve("out.raw.ferry-partial")).exists();
    assertThat(folder.resolve("out.raw.ferry-partial.progress")).exists();

    RestoreResult resumed = new Bundles(store, Clock.systemUTC()).restoreToFile("disk", target, options);
    assertThat(resumed.resumedFrom()).isPositive();
    assertThat(Files.readAllBytes(target)).isEqualTo(content);
    assertThat(folder.resolve("out.raw.ferry-partial")).doesNotExist();
    assertThat(folder.resolve("out.raw.ferry-partial.progress")).doesNotExist();
  }

  @Test
  void aDeviceThatDoesNotReadZerosGetsItsZeroRangesWritten() throws Exception {
    byte[] garbage = new byte[content.length + 4096];
    new Random(9).nextBytes(garbage);
    Path device = Files.write(folder.resolve("device.img"), garbage);

    new Bundles(store, Clock.systemUTC())
        .restoreToBlockDevice("disk", device, false, folder.resolve("state"), RestoreOptions.defaults());

    byte[] written = Files.readAllBytes(device);
    assertThat(java.util.Arrays.copyOf(written, content.length)).isEqualTo(content);
    assertThat(written).hasSize(garbage.length); // a device is never resized
  }

  @Test
  void aDeviceTooSmallIsRefused() throws Exception {
    Path device = Files.write(folder.resolve("small.img"), new byte[4096]);
    assertThatThrownBy(() -> new Bundles(store, Clock.systemUTC())
            .restoreToBlockDevice("disk", device, true, folder.resolve("state"), RestoreOptions.defaults()))
        .hasMessageContaining("holds 4096 bytes");
  }

  /** A store whose chunk reads fail after a number of successes, like a network outage. */
  private static final class FailingReads extends ForwardingChunkStore {
    private final AtomicInteger remaining;

    FailingReads(ChunkStore delegate, int reads) {
      super(delegate);
      this.remaining = new AtomicInteger(reads);
    }

    @Override
    public byte[] getChunk(String chunkId) throws IOException {
      if (remaining.getAndDecrement() <= 0) {
        throw new IOException("simulated outage");
      }
      return super.getChunk(chunkId);
    }
  }
}
