package io.ferry.standardization.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.bundle.BundleManifest.ChunkEntry;
import io.ferry.standardization.bundle.internal.ChunkCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BundlesTest {

  private static final int CHUNK = 64 * 1024;

  private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final InMemoryChunkStore store = new InMemoryChunkStore(clock);
  private final Bundles bundles = new Bundles(store, clock);
  private final BundleOptions options =
      BundleOptions.defaults().withChunkSize(CHUNK).withThreads(2, 3).withJournalEveryChunks(2);

  @Test
  void bundleAndRestoreGiveBackTheSameBytesAndStoreNoZeroChunks() throws Exception {
    byte[] content = TestData.disk(40 * CHUNK + 1234, CHUNK, 1);
    BundleResult result = bundles.bundle("disk-1", MemoryDisk.of(content), BundleManifest.Source.UNKNOWN, options);

    BundleManifest manifest = result.manifest();
    assertThat(manifest.disk().virtualSize()).isEqualTo(content.length);
    assertThat(manifest.formatVersion()).isEqualTo(2);
    assertThat(manifest.disk().digestAlgorithm()).isEqualTo("sha256-chunk-list");
    assertThat(manifest.disk().sha256()).isEqualTo(chunkListDigest(content, CHUNK));
    for (ChunkEntry entry : manifest.chunks()) {
      assertThat(isZero(content, entry.offset(), entry.length())).isFalse();
    }
    long zeroChunks = countZeroChunks(content);
    assertThat(manifest.chunks()).hasSize((int) (41 - zeroChunks));
    assertThat(manifest.chunks().get(manifest.chunks().size() - 1).length()).isIn(1234L, (long) CHUNK);
    assertThat(store.listJournals()).isEmpty();

    MemoryDisk restored = new MemoryDisk(content.length);
    bundles.restore("disk-1", restored, RestoreOptions.defaults());
    assertThat(restored.finished()).isTrue();
    assertThat(restored.content()).isEqualTo(content);
    assertThat(restored.bytesWritten()).isEqualTo(manifest.dataBytes());
    assertThat(bundles.verify("disk-1", 2).intact()).isTrue();
  }

  @Test
  void unallocatedRangesAreNeitherReadNorStoredButCountInTheDiskDigest() throws Exception {
    MemoryDisk sparse = new MemoryDisk(64 * CHUNK);
    byte[] data = TestData.disk(CHUNK, CHUNK / 4, 13);
    sparse.write(5L * CHUNK, java.nio.ByteBuffer.wrap(data));
    sparse.write(40L * CHUNK + 4096, java.nio.ByteBuffer.wrap(data, 0, 8192));

    BundleResult result = bundles.bundle("sparse", sparse, BundleManifest.Source.UNKNOWN, options);

    assertThat(result.bytesRead()).isEqualTo(2L * CHUNK);
    assertThat(result.manifest().chunks()).extracting(ChunkEntry::offset).containsExactly(5L * CHUNK, 40L * CHUNK);
    assertThat(result.manifest().disk().sha256()).isEqualTo(chunkListDigest(sparse.content(), CHUNK));
  }

  @Test
  void aVersionOneManifestWithThePlainWholeDiskDigestStillVerifiesAndRestores() throws Exception {
    byte[] content = TestData.disk(9 * CHUNK + 777, CHUNK, 23);
    BundleManifest current =
        bundles.bundle("new", MemoryDisk.of(content), BundleManifest.Source.UNKNOWN, options).manifest();
    BundleManifest old = new BundleManifest(1, "old", current.createdAt(), current.source(),
        new BundleManifest.Disk(content.length, 512, sha256(content)), current.chunking(), current.partitionTable(),
        current.bootMode(), null, null, current.chunks());
    store.putManifest("old", BundleManifests.toJson(old));

    assertThat(bundles.manifest("old").disk().digestAlgorithm()).isEqualTo("sha256");
    assertThat(bundles.verify("old", 2).intact()).isTrue();
    MemoryDisk restored = new MemoryDisk(content.length);
    bundles.restore("old", restored, RestoreOptions.defaults());
    assertThat(restored.content()).isEqualTo(content);

    // a version 1 digest is checked as the plain SHA-256: the chunk-list value does not pass
    BundleManifest wrong = new BundleManifest(1, "wrong", current.createdAt(), current.source(),
        new BundleManifest.Disk(content.length, 512, current.disk().sha256()), current.chunking(),
        current.partitionTable(), current.bootMode(), null, null, current.chunks());
    store.putManifest("wrong", BundleManifests.toJson(wrong));
    assertThat(bundles.verify("wrong", 2).diskDigestMatches()).isFalse();
    assertThatThrownBy(() -> bundles.restore("wrong", new MemoryDisk(content.length), RestoreOptions.defaults()))
        .isInstanceOfSatisfying(FerryException.class,
            failure -> assertThat(failure.code()).isEqualTo(ErrorCode.INTEGRITY_CHECK_FAILED));
  }

  @Test
  void aVersionTwoManifestWhoseChunkListDoesNotMatchItsDigestFailsVerifyAndRestore() throws Exception {
    byte[] content = TestData.disk(8 * CHUNK, CHUNK, 29);
    BundleManifest current =
        bundles.bundle("whole", MemoryDisk.of(content), BundleManifest.Source.UNKNOWN, options).manifest();
    // drop a chunk from the list: every listed chunk is intact, but the disk is not the one digested
    List<ChunkEntry> fewer = current.chunks().subList(1, current.chunks().size());
    BundleManifest cut = new BundleManifest(2, "cut", current.createdAt(), current.source(), current.disk(),
        current.chunking(), current.partitionTable(), current.bootMode(), null, null, fewer);
    store.putManifest("cut", BundleManifests.toJson(cut));
    VerifyReport report = bundles.verify("cut", 2);
    assertThat(report.problems()).isEmpty();
    assertThat(report.diskDigestMatches()).isFalse();
    assertThatThrownBy(() -> bundles.restore("cut", new MemoryDisk(content.length), RestoreOptions.defaults()))
        .isInstanceOfSatisfying(FerryException.class, failure -> {
          assertThat(failure.code()).isEqualTo(ErrorCode.INTEGRITY_CHECK_FAILED);
          assertThat(failure.getMessage()).contains("sha256-chunk-list");
        });
    ByteArrayOutputStream archive = new ByteArrayOutputStream();
    bundles.exportBundle("cut", archive);
    InMemoryChunkStore other = new InMemoryChunkStore(clock);
    assertThatThrownBy(() -> new Bundles(other, clock).importBundle(new ByteArrayInputStream(archive.toByteArray())))
        .isInstanceOfSatisfying(FerryException.class, failure -> {
          assertThat(failure.code()).isEqualTo(ErrorCode.INTEGRITY_CHECK_FAILED);
          assertThat(failure.getMessage()).contains("sha256-chunk-list");
        });
    assertThat(other.listManifests()).isEmpty();
  }

  @Test
  void identicalChunksAreStoredOnce() throws Exception {
    byte[] content = new byte[8 * CHUNK];
    byte[] pattern = TestData.disk(CHUNK, CHUNK, 7);
    for (int chunk = 0; chunk < 8; chunk++) {
      System.arraycopy(pattern, 0, content, chunk * CHUNK, CHUNK);
    }
    BundleResult result = bundles.bundle("same", MemoryDisk.of(content), BundleManifest.Source.UNKNOWN, options);

    assertThat(result.manifest().chunks()).hasSize(8);
    assertThat(store.chunkWrites()).hasSizeLessThanOrEqualTo(1 + options.chunksInFlight());
    assertThat(new HashSet<>(store.chunkWrites())).hasSize(1);
  }

  @Test
  void aCorruptChunkIsNamedByVerifyAndRefusedByRestore() throws Exception {
    byte[] content = TestData.disk(16 * CHUNK, CHUNK, 3);
    BundleManifest manifest =
        bundles.bundle("damaged", MemoryDisk.of(content), BundleManifest.Source.UNKNOWN, options).manifest();
    ChunkEntry victim = manifest.chunks().get(manifest.chunks().size() / 2);
    byte[] stored = store.getChunk(victim.sha256());
    stored[stored.length / 2] ^= 0x5A;
    store.overwriteChunk(victim.sha256(), stored);

    VerifyReport report = bundles.verify("damaged", 2);
    assertThat(report.intact()).isFalse();
    assertThat(report.problems())
        .anySatisfy(problem -> {
          assertThat(problem.chunkId()).isEqualTo(victim.sha256());
          assertThat(problem.offset()).isEqualTo(victim.offset());
        });

    MemoryDisk target = new MemoryDisk(content.length);
    assertThatThrownBy(() -> bundles.restore("damaged", target, RestoreOptions.defaults()))
        .isInstanceOfSatisfying(FerryException.class, failure -> {
          assertThat(failure.code()).isEqualTo(ErrorCode.INTEGRITY_CHECK_FAILED);
          assertThat(failure.getMessage()).contains(victim.sha256()).contains("offset " + victim.offset());
        });
    assertThat(target.finished()).isFalse();
  }

  @Test
  void anInterruptedBundleResumesWithoutRedoingJournalledChunksAndGivesTheSameManifest() throws Exception {
    byte[] content = TestData.disk(48 * CHUNK, CHUNK / 2, 11);
    InMemoryChunkStore referenceStore = new InMemoryChunkStore(clock);
    BundleManifest reference =
        new Bundles(referenceStore, clock).bundle("resumable", MemoryDisk.of(content), BundleManifest.Source.UNKNOWN, options)
            .manifest();

    store.failAfterChunkWrites(10);
    assertThatThrownBy(() -> bundles.bundle("resumable", MemoryDisk.of(content), BundleManifest.Source.UNKNOWN, options))
        .isInstanceOf(FerryException.class);
    assertThat(store.getManifest("resumable")).isEmpty();
    Set<String> journalled = new HashSet<>();
    for (String chunkId : journalledChunks("resumable")) {
      journalled.add(chunkId);
    }
    assertThat(journalled).isNotEmpty();
    int writesBefore = store.chunkWrites().size();

    store.failAfterChunkWrites(Integer.MAX_VALUE);
    clock.advance(Duration.ofMinutes(5));
    BundleResult resumed = bundles.bundle("resumable", MemoryDisk.of(content), BundleManifest.Source.UNKNOWN, options);

    List<String> rerunWrites = store.chunkWrites().subList(writesBefore, store.chunkWrites().size());
    assertThat(rerunWrites).doesNotContainAnyElementsOf(journalled);
    assertThat(resumed.chunksResumed()).isEqualTo(journalled.size());
    assertThat(resumed.manifest()).isEqualTo(reference);
  }

  @Test
  void diffNamesTheChangedChunks() throws Exception {
    byte[] first = TestData.disk(20 * CHUNK, CHUNK, 5);
    byte[] second = first.clone();
    second[3 * CHUNK + 17] ^= 1;
    second[11 * CHUNK + 5] ^= 1;
    bundles.bundle("v1", MemoryDisk.of(first), BundleManifest.Source.UNKNOWN, options);
    bundles.bundle("v2", MemoryDisk.of(second), BundleManifest.Source.UNKNOWN, options);

    BundleDiff diff = bundles.diff("v1", "v2");
    assertThat(diff.changes()).extracting(BundleDiff.Change::offset)
        .containsAll(List.of(3L * CHUNK, 11L * CHUNK));
    assertThat(diff.newChunkBytes()).isLessThanOrEqualTo(2L * CHUNK);
  }

  @Test
  void garbageCollectionKeepsReferencedAndYoungChunks() throws Exception {
    bundles.bundle("keep", MemoryDisk.of(TestData.disk(8 * CHUNK, CHUNK, 21)), BundleManifest.Source.UNKNOWN, options);
    BundleManifest dropped =
        bundles.bundle("drop", MemoryDisk.of(TestData.disk(8 * CHUNK, CHUNK, 22)), BundleManifest.Source.UNKNOWN, options)
            .manifest();
    bundles.delete("drop");

    GarbageCollection young = bundles.collectGarbage(Duration.ofHours(1));
    assertThat(young.chunksDeleted()).isZero();
    assertThat(young.chunksInGrace()).isPositive();

    clock.advance(Duration.ofHours(2));
    GarbageCollection old = bundles.collectGarbage(Duration.ofHours(1));
    assertThat(old.chunksDeleted()).isEqualTo(young.chunksInGrace());
    for (ChunkEntry entry : dropped.chunks()) {
      assertThat(store.chunkExists(entry.sha256())).isFalse();
    }
    assertThat(bundles.verify("keep", 2).intact()).isTrue();
  }

  @Test
  void exportThenImportMovesABundleBetweenStores() throws Exception {
    byte[] content = TestData.disk(12 * CHUNK, CHUNK, 9);
    bundles.bundle("moving", MemoryDisk.of(content), BundleManifest.Source.UNKNOWN, options);
    ByteArrayOutputStream archive = new ByteArrayOutputStream();
    bundles.exportBundle("moving", archive);

    Bundles other = new Bundles(new InMemoryChunkStore(clock), clock);
    BundleManifest imported = other.importBundle(new ByteArrayInputStream(archive.toByteArray()));
    assertThat(imported).isEqualTo(bundles.manifest("moving"));
    MemoryDisk restored = new MemoryDisk(content.length);
    other.restore("moving", restored, RestoreOptions.defaults());
    assertThat(restored.content()).isEqualTo(content);
  }

  @Test
  void importingAnArchiveWithADamagedChunkStoresNoManifest() throws Exception {
    byte[] content = TestData.disk(6 * CHUNK, CHUNK, 19);
    BundleManifest manifest =
        bundles.bundle("fragile", MemoryDisk.of(content), BundleManifest.Source.UNKNOWN, options).manifest();
    ChunkEntry victim = manifest.chunks().get(manifest.chunks().size() - 1);
    byte[] stored = store.getChunk(victim.sha256());
    stored[stored.length - 8] ^= 0x11;
    store.overwriteChunk(victim.sha256(), stored);
    ByteArrayOutputStream archive = new ByteArrayOutputStream();
    bundles.exportBundle("fragile", archive);

    InMemoryChunkStore target = new InMemoryChunkStore(clock);
    assertThatThrownBy(() -> new Bundles(target, clock).importBundle(new ByteArrayInputStream(archive.toByteArray())))
        .isInstanceOfSatisfying(FerryException.class, failure -> {
          assertThat(failure.code()).isEqualTo(ErrorCode.INTEGRITY_CHECK_FAILED);
          assertThat(failure.getMessage()).contains(victim.sha256()).contains("offset " + victim.offset());
        });
    assertThat(target.listManifests()).isEmpty();
  }

  private List<String> journalledChunks(String bundleId) throws Exception {
    return io.ferry.standardization.bundle.internal.BundleJournal.readSegments(store, bundleId).stream()
        .flatMap(segment -> segment.chunks().stream())
        .map(ChunkEntry::sha256)
        .toList();
  }

  private static long countZeroChunks(byte[] content) {
    long zero = 0;
    for (long offset = 0; offset < content.length; offset += CHUNK) {
      if (isZero(content, offset, Math.min(CHUNK, content.length - offset))) {
        zero++;
      }
    }
    return zero;
  }

  private static boolean isZero(byte[] content, long offset, long length) {
    for (long index = offset; index < offset + length; index++) {
      if (content[(int) index] != 0) {
        return false;
      }
    }
    return true;
  }

  /** The oracle of format version 2's digest, written out: SHA-256 over every chunk's SHA-256. */
  private static String chunkListDigest(byte[] content, int chunkSize) throws Exception {
    java.security.MessageDigest outer = java.security.MessageDigest.getInstance("SHA-256");
    for (int offset = 0; offset < content.length; offset += chunkSize) {
      java.security.MessageDigest chunk = java.security.MessageDigest.getInstance("SHA-256");
      chunk.update(content, offset, Math.min(chunkSize, content.length - offset));
      outer.update(chunk.digest());
    }
    return java.util.HexFormat.of().formatHex(outer.digest());
  }

  private static String sha256(byte[] content) {
    return ChunkCodec.hex(ChunkCodec.newSha256().digest(content));
  }
}
