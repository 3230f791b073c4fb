package io.ferry.standardization.bundle;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A {@link ChunkStore} in memory for unit tests: counts chunk writes, records which chunks were
 * written, and can be told to fail after a number of chunk writes (a crash in the middle).
 */
public final class InMemoryChunkStore implements ChunkStore {

  private record Stored(byte[] content, java.time.Instant lastModified) {}

  private final Clock clock;
  private final Map<String, Stored> chunks = new ConcurrentHashMap<>();
  private final Map<String, byte[]> manifests = new ConcurrentSkipListMap<>();
  private final Map<String, TreeMap<Long, byte[]>> journals = new ConcurrentSkipListMap<>();
  private final List<String> chunkWrites = java.util.Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger writesBeforeFailure = new AtomicInteger(Integer.MAX_VALUE);

  public InMemoryChunkStore(Clock clock) {
    this.clock = clock;
  }

  /** Every chunk id written, in order, duplicates included. */
  public List<String> chunkWrites() {
    synchronized (chunkWrites) {
      return List.copyOf(chunkWrites);
    }
  }

  /** Makes the chunk write after {@code count} more succeed fail with an I/O error. */
  public void failAfterChunkWrites(int count) {
    writesBeforeFailure.set(count);
  }

  /** Replaces a stored chunk's bytes (to simulate damage). */
  public void overwriteChunk(String chunkId, byte[] content) {
    chunks.put(chunkId, new Stored(content, chunks.get(chunkId).lastModified()));
  }

  @Override
  public void putChunk(String chunkId, byte[] compressed, int offset, int length) {
    if (writesBeforeFailure.getAndDecrement() <= 0) {
      throw new FerryException(ErrorCode.IO_ERROR, "simulated crash before writing " + chunkId);
    }
    chunks.put(chunkId, new Stored(java.util.Arrays.copyOfRange(compressed, offset, offset + length), clock.instant()));
    chunkWrites.add(chunkId);
  }

  @Override
  public byte[] getChunk(String chunkId) {
    Stored stored = chunks.get(chunkId);
    if (stored == null) {
      throw new FerryException(ErrorCode.NOT_FOUND, "no chunk " + chunkId);
    }
    return stored.content().clone();
  }

  @Override
  public Optional<StoredObject> statChunk(String chunkId) {
    return Optional.ofNullable(chunks.get(chunkId))
        .map(stored -> new StoredObject(chunkId, stored.content().length, stored.lastModified()));
  }

  @Override
  public Optional<StoredObject> touchChunk(String chunkId) {
    Stored touched = chunks.computeIfPresent(chunkId, (id, stored) -> new Stored(stored.content(), clock.instant()));
    return Optional.ofNullable(touched)
        .map(stored -> new StoredObject(chunkId, stored.content().length, stored.lastModified()));
  }

  @Override
  public boolean deleteChunk(String chunkId) {
    return chunks.remove(chunkId) != null;
  }

  @Override
  public void listChunks(Consumer<StoredObject> consumer) {
    chunks.forEach((id, stored) -> consumer.accept(new StoredObject(id, stored.content().length, stored.lastModified())));
  }

  @Override
  public void putManifest(String bundleId, byte[] manifestJson) {
    manifests.put(bundleId, manifestJson.clone());
  }

  @Override
  public Optional<byte[]> getManifest(String bundleId) {
    return Optional.ofNullable(manifests.get(bundleId));
  }

  @Override
  public List<String> listManifests() {
    return List.copyOf(manifests.keySet());
  }

  @Override
  public boolean deleteManifest(String bundleId) {
    return manifests.remove(bundleId) != null;
  }

  @Override
  public synchronized void putJournalSegment(String bundleId, long sequence, byte[] segmentJson) {
    journals.computeIfAbsent(bundleId, id -> new TreeMap<>()).put(sequence, segmentJson.clone());
  }

  @Override
  public synchronized List<byte[]> readJournal(String bundleId) {
    TreeMap<Long, byte[]> segments = journals.get(bundleId);
    return segments == null ? List.of() : List.copyOf(segments.values());
  }

  @Override
  public List<String> listJournals() {
    return List.copyOf(journals.keySet());
  }

  @Override
  public void deleteJournal(String bundleId) {
    journals.remove(bundleId);
  }

  @Override
  public String describe() {
    return "in-memory store";
  }
}
