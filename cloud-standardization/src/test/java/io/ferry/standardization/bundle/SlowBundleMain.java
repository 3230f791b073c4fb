package io.ferry.standardization.bundle;

import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImages;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * Test program for {@link BundleResumeIT}: bundles an image into a local store slowly (a listener
 * sleeps after every chunk) so the test can kill it with SIGKILL half-way.
 *
 * <p>Arguments: store folder, image, bundle id, chunk size, journal interval in chunks, clock
 * instant, milliseconds to sleep per chunk.
 */
public final class SlowBundleMain {

  private SlowBundleMain() {}

  public static void main(String[] arguments) throws Exception {
    Path storeFolder = Path.of(arguments[0]);
    Path image = Path.of(arguments[1]);
    String bundleId = arguments[2];
    int chunkSize = Integer.parseInt(arguments[3]);
    int journalEvery = Integer.parseInt(arguments[4]);
    Clock clock = Clock.fixed(Instant.parse(arguments[5]), ZoneOffset.UTC);
    long sleepMillis = Long.parseLong(arguments[6]);
    BundleOptions options =
        options(chunkSize, journalEvery)
            .withListener((done, total) -> {
              try {
                Thread.sleep(sleepMillis);
              } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
              }
            });
    try (LocalChunkStore store = new LocalChunkStore(storeFolder, clock);
        DiskImageReader reader = DiskImages.open(image)) {
      new Bundles(store, clock).bundle(bundleId, reader, BundleManifest.Source.UNKNOWN, options);
    }
    System.out.println("finished");
  }

  /** The options the test and this program share. */
  static BundleOptions options(int chunkSize, int journalEvery) {
    return BundleOptions.defaults().withChunkSize(chunkSize).withThreads(2, 4).withJournalEveryChunks(journalEvery);
  }
}
