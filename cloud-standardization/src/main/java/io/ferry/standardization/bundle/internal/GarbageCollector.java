package io.ferry.standardization.bundle.internal;

import io.ferry.standardization.bundle.BundleManifest;
import io.ferry.standardization.bundle.BundleManifest.ChunkEntry;
import io.ferry.standardization.bundle.BundleManifests;
import io.ferry.standardization.bundle.ChunkStore;
import io.ferry.standardization.bundle.GarbageCollection;
import io.ferry.standardization.bundle.LocalChunkStore;
import io.ferry.standardization.bundle.StoredObject;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes chunks that no manifest and no unfinished bundle's journal references and that were
 * last modified before {@code now - grace}. Bundlers touch every chunk they reuse and write new
 * ones with a fresh time, so a bundle in progress never loses a chunk as long as the grace period
 * is longer than one journal interval. Each candidate's time is read again just before deleting.
 */
public final class GarbageCollector {

  private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);

  private final ChunkStore store;
  private final Clock clock;

  public GarbageCollector(ChunkStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Runs one collection. */
  public GarbageCollection collect(Duration grace) throws IOException {
    Instant cutoff = clock.instant().minus(grace);
    Set<String> referenced = new HashSet<>();
    for (String bundleId : store.listManifests()) {
      Optional<byte[]> json = store.getManifest(bundleId);
      if (json.isPresent()) {
        BundleManifest manifest = BundleManifests.fromJson(json.get(), bundleId);
        manifest.chunks().forEach(chunk -> referenced.add(chunk.sha256()));
      }
    }
    for (String bundleId : store.listJournals()) {
      for (BundleJournal.Segment segment : BundleJournal.readSegments(store, bundleId)) {
        for (ChunkEntry chunk : segment.chunks()) {
          referenced.add(chunk.sha256());
        }
      }
    }
    List<StoredObject> candidates = new ArrayList<>();
    long[] examined = {0};
    long[] live = {0};
    long[] inGrace = {0};
    store.listChunks(
        chunk -> {
          examined[0]++;
          if (referenced.contains(chunk.id())) {
            live[0]++;
          } else if (chunk.lastModified().isBefore(cutoff)) {
            candidates.add(chunk);
          } else {
            inGrace[0]++;
          }
        });
    long deleted = 0;
    long bytes = 0;
    for (StoredObject candidate : candidates) {
      Optional<StoredObject> now = store.statChunk(candidate.id());
      if (now.isEmpty()) {
        continue;
      }
      if (!now.get().lastModified().isBefore(cutoff)) {
        inGrace[0]++;
        continue;
      }
      if (store.deleteChunk(candidate.id())) {
        deleted++;
        bytes += now.get().size();
      }
    }
    if (store instanceof LocalChunkStore local) {
      local.deleteStaleTemporaryFiles(grace);
    }
    LOG.info("garbage collection of {}: {} chunks examined, {} deleted ({} bytes), {} in grace",
        store.describe(), examined[0], deleted, bytes, inGrace[0]);
    return new GarbageCollection(cutoff, examined[0], live[0], deleted, bytes, inGrace[0]);
  }
}
