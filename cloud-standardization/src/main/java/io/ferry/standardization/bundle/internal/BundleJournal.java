package io.ferry.standardization.bundle.internal;

import io.ferry.standardization.bundle.BundleManifest.ChunkEntry;
import io.ferry.standardization.bundle.BundleManifests;
import io.ferry.standardization.bundle.ChunkStore;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The progress journal of a bundle being made, kept in the store next to the manifests. Each
 * segment records the chunks finished in one contiguous disk range {@code [startOffset,
 * endOffset)}, following the previous segment; zero chunks are covered by the range but not
 * listed. A rerun skips everything below the last segment's end. Garbage collection counts the
 * chunks listed here as referenced, so a slow bundle is never robbed.
 */
public final class BundleJournal {

  private static final Logger LOG = LoggerFactory.getLogger(BundleJournal.class);

  /** One segment as stored. */
  public record Segment(
      int formatVersion,
      String bundleId,
      long sequence,
      Instant createdAt,
      long virtualSize,
      int chunkSize,
      int compressionLevel,
      long startOffset,
      long endOffset,
      List<ChunkEntry> chunks) {}

  /** Where a rerun continues. */
  public record Resume(Instant createdAt, List<ChunkEntry> chunks, long endOffset, long nextSequence) {
    static final Resume FRESH = new Resume(null, List.of(), 0, 1);
  }

  private BundleJournal() {}

  /**
   * Reads the journal of {@code bundleId}; a journal written with other parameters (another disk
   * size, chunk size or level) or with gaps is discarded, and the bundle starts afresh.
   */
  public static Resume load(ChunkStore store, String bundleId, long virtualSize, int chunkSize, int level)
      throws IOException {
    List<Segment> segments = readSegments(store, bundleId);
    if (segments.isEmpty()) {
      return Resume.FRESH;
    }
    List<ChunkEntry> chunks = new ArrayList<>();
    long expectedStart = 0;
    long expectedSequence = 1;
    for (Segment segment : segments) {
      if (segment.virtualSize() != virtualSize
          || segment.chunkSize() != chunkSize
          || segment.compressionLevel() != level
          || segment.sequence() != expectedSequence
          || segment.startOffset() != expectedStart
          || !bundleId.equals(segment.bundleId())) {
        LOG.warn("discarding the journal of bundle {}: segment {} does not continue it", bundleId,
            segment.sequence());
        store.deleteJournal(bundleId);
        return Resume.FRESH;
      }
      chunks.addAll(segment.chunks());
      expectedStart = segment.endOffset();
      expectedSequence++;
    }
    return new Resume(segments.get(0).createdAt(), chunks, expectedStart, expectedSequence);
  }

  /** Every segment of the journal, or empty. Unreadable segments end the list. */
  public static List<Segment> readSegments(ChunkStore store, String bundleId) throws IOException {
    List<Segment> segments = new ArrayList<>();
    for (byte[] json : store.readJournal(bundleId)) {
      Optional<Segment> segment = parse(json);
      if (segment.isEmpty()) {
        break;
      }
      segments.add(segment.get());
    }
    return segments;
  }

  /** Writes one segment. */
  public static void append(ChunkStore store, Segment segment) throws IOException {
    store.putJournalSegment(
        segment.bundleId(), segment.sequence(), BundleManifests.mapper().writeValueAsBytes(segment));
  }

  private static Optional<Segment> parse(byte[] json) {
    try {
      return Optional.of(BundleManifests.mapper().readValue(json, Segment.class));
    } catch (IOException damaged) {
      return Optional.empty();
    }
  }
}
