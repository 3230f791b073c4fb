package io.ferry.standardization.bundle;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where bundles live: content-addressed chunks (zstd frames named by the SHA-256 of their
 * uncompressed content, 64 lower-case hex digits), manifests by bundle id, and the progress
 * journals of bundles being made.
 *
 * <p>Every write is atomic: a reader sees either nothing or the whole object, even after a crash.
 * Writing a chunk that already exists is harmless (the content is the same by construction), so
 * several bundlers may write the same chunk at once. Implementations are thread-safe.
 */
public interface ChunkStore extends Closeable {

  /**
   * Stores the compressed chunk {@code chunkId} atomically, replacing any existing copy (which
   * holds the same content) and setting its last-modified time to now.
   */
  void putChunk(String chunkId, byte[] compressed, int offset, int length) throws IOException;

  /**
   * Reads the compressed chunk {@code chunkId} whole.
   *
   * @throws io.ferry.standardization.FerryException NOT_FOUND when the chunk does not exist
   */
  byte[] getChunk(String chunkId) throws IOException;

  /** The chunk's stored size and last-modified time, or empty when it does not exist. */
  Optional<StoredObject> statChunk(String chunkId) throws IOException;

  /** Whether the chunk exists. */
  default boolean chunkExists(String chunkId) throws IOException {
    return statChunk(chunkId).isPresent();
  }

  /**
   * Sets the chunk's last-modified time to now so that garbage collection's grace period protects
   * it again (a bundler reusing an old chunk calls this).
   *
   * @return the chunk after touching, or empty when it does not exist
   */
  Optional<StoredObject> touchChunk(String chunkId) throws IOException;

  /** Deletes the chunk; returns whether it existed. */
  boolean deleteChunk(String chunkId) throws IOException;

  /** Calls {@code consumer} once for every stored chunk, in no particular order. */
  void listChunks(Consumer<StoredObject> consumer) throws IOException;

  /** Stores the manifest of {@code bundleId} atomically, replacing an existing one. */
  void putManifest(String bundleId, byte[] manifestJson) throws IOException;

  /** The manifest of {@code bundleId}, or empty when there is no such bundle. */
  Optional<byte[]> getManifest(String bundleId) throws IOException;

  /** The ids of every bundle that has a manifest, sorted. */
  List<String> listManifests() throws IOException;

  /** Deletes the manifest of {@code bundleId} (not its chunks); returns whether it existed. */
  boolean deleteManifest(String bundleId) throws IOException;

  /**
   * Appends segment {@code sequence} of the progress journal of the unfinished bundle {@code
   * bundleId}, atomically.
   */
  void putJournalSegment(String bundleId, long sequence, byte[] segmentJson) throws IOException;

  /** Every journal segment of {@code bundleId} in ascending sequence order (empty when none). */
  List<byte[]> readJournal(String bundleId) throws IOException;

  /** The ids of every bundle that has a journal (bundles in progress or interrupted), sorted. */
  List<String> listJournals() throws IOException;

  /** Deletes the journal of {@code bundleId}. */
  void deleteJournal(String bundleId) throws IOException;

  /** A short description for logs and messages (never contains secrets). */
  String describe();

  @Override
  default void close() throws IOException {}
}
