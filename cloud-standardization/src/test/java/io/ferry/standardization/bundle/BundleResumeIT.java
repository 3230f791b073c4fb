package io.ferry.standardization.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.standardization.bundle.BundleManifest.ChunkEntry;
import io.ferry.standardization.bundle.internal.BundleJournal;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bundle killed with SIGKILL half-way (a separate JVM) and run again: the journalled chunks are
 * neither written nor even looked up again, and the manifest equals an uninterrupted run's.
 */
class BundleResumeIT {

  private static final int CHUNK = 64 << 10;
  private static final int JOURNAL_EVERY = 8;
  private static final String CREATED = "2026-03-01T12:00:00Z";

  @TempDir Path folder;

  @Test
  void aBundleKilledHalfWayResumesFromItsJournal() throws Exception {
    Path image = folder.resolve("disk.raw");
    Files.write(image, TestData.disk(16 << 20, 48 << 10, 77));
    Path storeFolder = folder.resolve("store");
    Clock clock = Clock.fixed(Instant.parse(CREATED), ZoneOffset.UTC);

    Process child = startSlowBundle(storeFolder, image);
    LocalChunkStore store = new LocalChunkStore(storeFolder, clock);
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (BundleJournal.readSegments(store, "resumable").size() < 3) {
        assertThat(child.isAlive()).as("the slow bundle ended before it was killed").isTrue();
        assertThat(System.nanoTime()).as("no journal progress within 60 s").isLessThan(deadline);
        Thread.sleep(20); // polling another process; there is no clock to inject here
      }
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(store.getManifest("resumable")).isEmpty();
    Set<String> journalled = new HashSet<>();
    List<BundleJournal.Segment> segments = BundleJournal.readSegments(store, "resumable");
    segments.forEach(segment -> segment.chunks().forEach(chunk -> journalled.add(chunk.sha256())));
    assertThat(journalled).hasSizeGreaterThanOrEqualTo(3 * JOURNAL_EVERY);

    CountingChunkStore counting = new CountingChunkStore(store);
    BundleResult resumed;
    try (DiskImageReader reader = DiskImages.open(image, DiskFormat.RAW)) {
      resumed = new Bundles(counting, clock)
          .bundle("resumable", reader, BundleManifest.Source.UNKNOWN, SlowBundleMain.options(CHUNK, JOURNAL_EVERY));
    }

    List<String> redone = new ArrayList<>(counting.written);
    redone.addAll(counting.touched);
    assertThat(redone).doesNotContainAnyElementsOf(journalled);
    assertThat(resumed.chunksResumed()).isEqualTo(segments.stream().mapToLong(s -> s.chunks().size()).sum());
    long total = resumed.manifest().chunks().size();
    // every chunk after the journal is looked up once (touched) and written when it is new
    assertThat(counting.touched).hasSize((int) (total - resumed.chunksResumed()));

    LocalChunkStore referenceStore = new LocalChunkStore(folder.resolve("reference"), clock);
    BundleManifest reference;
    try (DiskImageReader reader = DiskImages.open(image, DiskFormat.RAW)) {
      reference = new Bundles(referenceStore, clock)
          .bundle("resumable", reader, BundleManifest.Source.UNKNOWN, SlowBundleMain.options(CHUNK, JOURNAL_EVERY))
          .manifest();
    }
    assertThat(resumed.manifest()).isEqualTo(reference);
    assertThat(Files.readAllBytes(storeFolder.resolve("manifests/resumable.json")))
        .isEqualTo(Files.readAllBytes(folder.resolve("reference/manifests/resumable.json")));
    assertThat(store.listJournals()).isEmpty();
    assertThat(new Bundles(store, clock).verify("resumable", 2).intact()).isTrue();
    assertThat(resumed.manifest().chunks()).extracting(ChunkEntry::sha256).containsAll(journalled);
  }

  private Process startSlowBundle(Path storeFolder, Path image) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = List.of(
        java, "-cp", System.getProperty("java.class.path"), SlowBundleMain.class.getName(),
        storeFolder.toString(), image.toString(), "resumable", Integer.toString(CHUNK),
        Integer.toString(JOURNAL_EVERY), CREATED, "15");
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(folder.resolve("child.log").toFile())
        .start();
  }
}
