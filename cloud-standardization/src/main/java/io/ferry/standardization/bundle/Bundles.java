package io.ferry.standardization.bundle;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.bundle.BundleManifest.ChunkEntry;
import io.ferry.standardization.bundle.internal.BundleArchive;
import io.ferry.standardization.bundle.internal.Bundler;
import io.ferry.standardization.bundle.internal.GarbageCollector;
import io.ferry.standardization.bundle.internal.Names;
import io.ferry.standardization.bundle.internal.RawFileTarget;
import io.ferry.standardization.bundle.internal.Restorer;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImageWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The operations on bundles in one {@link ChunkStore}: bundle a disk, restore it to any disk
 * image writer, a sparse raw file or a block device, verify, diff, export and import as one
 * archive, and collect garbage. Thread-safe; several bundles may be made at once, also by other
 * processes sharing the store.
 */
public final class Bundles {

  private final ChunkStore store;
  private final Clock clock;

  /** Operations on {@code store}; times (manifests, garbage collection) come from {@code clock}. */
  public Bundles(ChunkStore store, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The store these operations work on. */
  public ChunkStore store() {
    return store;
  }

  /**
   * Bundles {@code disk} as {@code bundleId}. Zero and unallocated ranges are never read or
   * stored; chunks the store already holds are not written again. An interrupted run leaves a
   * journal in the store and the next run with the same id and options continues after the last
   * journalled chunk, producing the same manifest. When {@code bundleId} already has a manifest,
   * that manifest is returned without reading the disk (bundle ids name one source image version).
   */
  public BundleResult bundle(
      String bundleId, DiskImageReader disk, BundleManifest.Source source, BundleOptions options)
      throws IOException {
    Names.checkBundleId(bundleId);
    var existing = store.getManifest(bundleId);
    if (existing.isPresent()) {
      return new BundleResult(BundleManifests.fromJson(existing.get(), bundleId), 0, 0, 0, 0, 0, 0, Duration.ZERO);
    }
    return translated("bundling " + bundleId, () -> new Bundler(store, clock).bundle(bundleId, disk, source, options));
  }

  /**
   * The manifest of {@code bundleId}, validated.
   *
   * @throws FerryException NOT_FOUND when there is no such bundle
   */
  public BundleManifest manifest(String bundleId) throws IOException {
    byte[] json = store.getManifest(Names.checkBundleId(bundleId))
        .orElseThrow(() -> new FerryException(ErrorCode.NOT_FOUND,
            "bundle " + bundleId + " is not in " + store.describe()));
    return BundleManifests.fromJson(json, bundleId);
  }

  /** The ids of every finished bundle. */
  public List<String> list() throws IOException {
    return store.listManifests();
  }

  /** Replaces the OS facts and captured cloud layer of a bundle (the guest agent's findings). */
  public BundleManifest updateGuestFacts(String bundleId, ObjectNode os, ObjectNode cloudLayer)
      throws IOException {
    BundleManifest updated = manifest(bundleId).withGuestFacts(os, cloudLayer);
    store.putManifest(bundleId, BundleManifests.toJson(updated));
    return updated;
  }

  /** Deletes a bundle's manifest; its chunks go at the next garbage collection. */
  public boolean delete(String bundleId) throws IOException {
    return store.deleteManifest(Names.checkBundleId(bundleId));
  }

  /**
   * Restores {@code bundleId} into {@code writer} (any writable disk image format) and finishes
   * it. Every chunk is re-hashed before it is written; on a damaged or missing chunk the writer is
   * closed unfinished, so no complete-looking output remains. Not resumable: formats with tables
   * are rewritten from the start.
   *
   * @throws FerryException INTEGRITY_CHECK_FAILED naming the chunk and its disk offset
   */
  public RestoreResult restore(String bundleId, DiskImageWriter writer, RestoreOptions options)
      throws IOException {
    return translated("restoring " + bundleId, () -> {
      try (writer) {
        BundleManifest manifest = manifest(bundleId);
        RestoreResult result = new Restorer(store).restore(manifest, writer, null, false, options);
        writer.finish();
        return result;
      }
    });
  }

  /**
   * Restores {@code bundleId} into a sparse raw file: written as {@code target.ferry-partial},
   * renamed to {@code target} only when complete and verified. An interrupted restore resumes from
   * its last checkpoint; after an integrity failure the partial file is deleted.
   */
  public RestoreResult restoreToFile(String bundleId, Path target, RestoreOptions options)
      throws IOException {
    BundleManifest manifest = manifest(bundleId);
    return translated("restoring " + bundleId + " to " + target,
        () -> restoreRaw(manifest, RawFileTarget.file(target, manifest.disk().virtualSize()), false, options));
  }

  /**
   * Restores {@code bundleId} onto a block device (or an existing file) in place. When {@code
   * deviceReadsZeros} is false, zero ranges are written explicitly. Progress is kept in {@code
   * stateFolder} for resuming.
   */
  public RestoreResult restoreToBlockDevice(
      String bundleId, Path device, boolean deviceReadsZeros, Path stateFolder, RestoreOptions options)
      throws IOException {
    BundleManifest manifest = manifest(bundleId);
    return translated("restoring " + bundleId + " to " + device, () -> restoreRaw(manifest,
        RawFileTarget.device(device, manifest.disk().virtualSize(), stateFolder), !deviceReadsZeros, options));
  }

  private RestoreResult restoreRaw(
      BundleManifest manifest, RawFileTarget target, boolean writeZeros, RestoreOptions options)
      throws IOException {
    try (target) {
      RestoreResult result;
      try {
        result = new Restorer(store).restore(manifest, target, target, writeZeros, options);
      } catch (FerryException failure) {
        if (failure.code() == ErrorCode.INTEGRITY_CHECK_FAILED) {
          target.discard();
        }
        throw failure;
      }
      target.finish();
      return result;
    }
  }

  /** Re-hashes every chunk of {@code bundleId} and recomputes its whole-disk digest. */
  public VerifyReport verify(String bundleId, int threads) throws IOException {
    BundleManifest manifest = manifest(bundleId);
    return translated("verifying " + bundleId, () -> new Restorer(store).verify(manifest, threads, 2 * threads));
  }

  /**
   * The chunk-aligned ranges whose content differs between two bundles, and the chunks the other
   * bundle needs that the base does not have.
   *
   * @throws FerryException UNSUPPORTED when the bundles use different chunk sizes
   */
  public BundleDiff diff(String baseBundleId, String otherBundleId) throws IOException {
    BundleManifest base = manifest(baseBundleId);
    BundleManifest other = manifest(otherBundleId);
    int chunkSize = base.chunking().chunkSize();
    if (chunkSize != other.chunking().chunkSize()) {
      throw new FerryException(ErrorCode.UNSUPPORTED,
          "bundles " + baseBundleId + " and " + otherBundleId + " use different chunk sizes");
    }
    Map<Long, ChunkEntry> baseChunks = new HashMap<>();
    Set<String> baseIds = new HashSet<>();
    for (ChunkEntry entry : base.chunks()) {
      baseChunks.put(entry.offset(), entry);
      baseIds.add(entry.sha256());
    }
    Map<Long, ChunkEntry> otherChunks = new HashMap<>();
    for (ChunkEntry entry : other.chunks()) {
      otherChunks.put(entry.offset(), entry);
    }
    Set<Long> offsets = new java.util.TreeSet<>(baseChunks.keySet());
    offsets.addAll(otherChunks.keySet());
    List<BundleDiff.Change> changes = new ArrayList<>();
    for (long offset : offsets) {
      ChunkEntry before = baseChunks.get(offset);
      ChunkEntry after = otherChunks.get(offset);
      String beforeId = before == null ? null : before.sha256();
      String afterId = after == null ? null : after.sha256();
      if (!Objects.equals(beforeId, afterId)) {
        long length = after != null ? after.length() : before.length();
        changes.add(new BundleDiff.Change(offset, length, beforeId, afterId));
      }
    }
    Set<String> newIds = new LinkedHashSet<>();
    long newChunkBytes = 0;
    long newStoredBytes = 0;
    for (ChunkEntry entry : other.chunks()) {
      if (!baseIds.contains(entry.sha256())) {
        newChunkBytes += entry.length();
        if (newIds.add(entry.sha256())) {
          newStoredBytes += entry.compressedSize();
        }
      }
    }
    return new BundleDiff(baseBundleId, otherBundleId, changes, List.copyOf(newIds), newChunkBytes, newStoredBytes);
  }

  /** Writes {@code bundleId} as one tar archive (manifest, then its distinct chunks). */
  public void exportBundle(String bundleId, OutputStream output) throws IOException {
    BundleManifest manifest = manifest(bundleId);
    translated("exporting " + bundleId, () -> {
      BundleArchive.export(store, manifest, output);
      return null;
    });
  }

  /**
   * Imports a bundle archive into this store, verifying every chunk; the manifest is stored last.
   *
   * @throws FerryException INTEGRITY_CHECK_FAILED for a damaged chunk, IMAGE_CORRUPT for a
   *     malformed archive
   */
  public BundleManifest importBundle(InputStream input) throws IOException {
    return translated("importing a bundle archive", () -> BundleArchive.importInto(store, input));
  }

  /**
   * Deletes chunks that no manifest and no unfinished bundle references and that are older than
   * {@code grace}.
   */
  public GarbageCollection collectGarbage(Duration grace) throws IOException {
    return translated("collecting garbage", () -> new GarbageCollector(store, clock).collect(grace));
  }

  private interface Operation<T> {
    T run() throws IOException;
  }

  /**
   * Runs an operation and turns plain I/O failures into FerryExceptions: NO_SPACE when a disk is
   * full, IO_ERROR (retryable) otherwise.
   */
  private static <T> T translated(String what, Operation<T> operation) {
    try {
      return operation.run();
    } catch (IOException failure) {
      String message = String.valueOf(failure.getMessage());
      ErrorCode code = message.contains("No space left") ? ErrorCode.NO_SPACE : ErrorCode.IO_ERROR;
      throw new FerryException(code, what + " failed: " + failure, failure);
    }
  }
}
