package io.ferry.standardization.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.standardization.bundle.BundleManifest.ChunkEntry;
import io.ferry.standardization.bundle.internal.BundleJournal;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local directory store under concurrent bundlers and garbage collection. */
class LocalStoreConcurrencyAndGarbageIT {

  private static final int CHUNK = 64 << 10;
  private static final int SIZE = 8 << 20;

  @TempDir Path folder;
  private final TestClock clock = new TestClock(Instant.parse("2026-02-01T00:00:00Z"));

  @Test
  void twoBundlersSharingChunksWriteIntoOneStoreAtOnce() throws Exception {
    byte[] first = TestData.disk(SIZE, CHUNK, 31);
    byte[] second = first.clone();
    byte[] other = TestData.disk(SIZE / 2, CHUNK, 32);
    System.arraycopy(other, 0, second, SIZE / 2, other.length); // the first half is shared
    Path firstImage = Files.write(folder.resolve("first.raw"), first);
    Path secondImage = Files.write(folder.resolve("second.raw"), second);
    Path storeFolder = folder.resolve("store");

    CyclicBarrier start = new CyclicBarrier(2);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      // two store instances on one folder, as two worker processes would have
      Future<BundleManifest> a = threads.submit(() -> bundleAfter(start, storeFolder, "first", firstImage));
      Future<BundleManifest> b = threads.submit(() -> bundleAfter(start, storeFolder, "second", secondImage));
      BundleManifest firstManifest = a.get();
      BundleManifest secondManifest = b.get();

      LocalChunkStore store = new LocalChunkStore(storeFolder, clock);
      Bundles bundles = new Bundles(store, clock);
      assertThat(bundles.verify("first", 2).intact()).isTrue();
      assertThat(bundles.verify("second", 2).intact()).isTrue();
      Set<String> distinct = new HashSet<>();
      firstManifest.chunks().forEach(chunk -> distinct.add(chunk.sha256()));
      secondManifest.chunks().forEach(chunk -> distinct.add(chunk.sha256()));
      AtomicInteger stored = new AtomicInteger();
      store.listChunks(chunk -> stored.incrementAndGet());
      assertThat(stored.get()).isEqualTo(distinct.size());
      try (Stream<Path> temporary = Files.list(storeFolder.resolve("tmp"))) {
        assertThat(temporary.toList()).isEmpty();
      }
      Path restored = folder.resolve("second.restored");
      bundles.restoreToFile("second", restored, RestoreOptions.defaults());
      assertThat(Files.readAllBytes(restored)).isEqualTo(second);
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void garbageCollectionHonoursManifestsJournalsAndTheGracePeriod() throws Exception {
    LocalChunkStore store = new LocalChunkStore(folder.resolve("store"), clock);
    Bundles bundles = new Bundles(store, clock);
    BundleOptions options = BundleOptions.defaults().withChunkSize(CHUNK).withThreads(1, 1).withJournalEveryChunks(4);
    bundle(bundles, "kept", Files.write(folder.resolve("kept.raw"), TestData.disk(SIZE / 4, CHUNK, 41)), options);
    BundleManifest dropped = bundle(bundles, "dropped",
        Files.write(folder.resolve("dropped.raw"), TestData.disk(SIZE / 4, CHUNK, 42)), options);
    bundles.delete("dropped");

    // a bundle in progress: it crashes after 10 new chunks, 8 of them journalled
    Path slowImage = Files.write(folder.resolve("slow.raw"), TestData.disk(SIZE / 4, CHUNK, 43));
    Bundles crashing = new Bundles(new CrashingStore(store, 10), clock);
    assertThatThrownBy(() -> bundle(crashing, "in-progress", slowImage, options))
        .isInstanceOfSatisfying(io.ferry.standardization.FerryException.class, failure -> {
          org.assertj.core.api.Assertions.assertThat(failure.code()).isEqualTo(io.ferry.standardization.ErrorCode.IO_ERROR);
          org.assertj.core.api.Assertions.assertThat(failure.retryable()).isTrue();
        });
    Set<String> journalled = new HashSet<>();
    BundleJournal.readSegments(store, "in-progress")
        .forEach(segment -> segment.chunks().forEach(chunk -> journalled.add(chunk.sha256())));
    assertThat(journalled).hasSize(8);

    GarbageCollection young = bundles.collectGarbage(Duration.ofHours(6));
    assertThat(young.chunksDeleted()).isZero();

    clock.advance(Duration.ofHours(7));
    GarbageCollection old = bundles.collectGarbage(Duration.ofHours(6));
    assertThat(old.chunksDeleted()).isEqualTo(distinctChunks(dropped) + 2); // + 2 written, never journalled
    for (ChunkEntry chunk : dropped.chunks()) {
      assertThat(store.chunkExists(chunk.sha256())).isFalse();
    }
    for (String chunkId : journalled) {
      assertThat(store.chunkExists(chunkId)).isTrue();
    }
    assertThat(bundles.verify("kept", 2).intact()).isTrue();

    BundleManifest finished = bundle(bundles, "in-progress", slowImage, options);
    assertThat(bundles.verify("in-progress", 2).intact()).isTrue();
    assertThat(finished.chunks()).extracting(ChunkEntry::sha256).containsAll(journalled);
  }

  private BundleManifest bundleAfter(CyclicBarrier start, Path storeFolder, String id, Path image) throws Exception {
    LocalChunkStore store = new LocalChunkStore(storeFolder, clock);
    start.await();
    return bundle(new Bundles(store, clock), id, image,
        BundleOptions.defaults().withChunkSize(CHUNK).withThreads(2, 4));
  }

  private static BundleManifest bundle(Bundles bundles, String id, Path image, BundleOptions options) throws IOException {
    try (DiskImageReader reader = DiskImages.open(image, DiskFormat.RAW)) {
      return bundles.bundle(id, reader, BundleManifest.Source.UNKNOWN, options).manifest();
    }
  }

  private static long distinctChunks(BundleManifest manifest) {
    return manifest.chunks().stream().map(ChunkEntry::sha256).distinct().count();
  }

  /** A store that fails like a crash after a number of chunk writes. */
  private static final class CrashingStore extends ForwardingChunkStore {
    private final AtomicInteger remaining;

    CrashingStore(ChunkStore delegate, int writes) {
      super(delegate);
      this.remaining = new AtomicInteger(writes);
    }

    @Override
    public void putChunk(String chunkId, byte[] compressed, int offset, int length) throws IOException {
      if (remaining.getAndDecrement() <= 0) {
        throw new IOException("simulated crash");
      }
      super.putChunk(chunkId, compressed, offset, length);
    }
  }
}
