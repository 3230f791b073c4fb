package io.ferry.standardization.bundle;

import io.ferry.standardization.ProgressListener;
import java.util.Objects;

/**
 * How {@link Bundles#bundle} cuts, compresses and records a disk.
 *
 * @param chunkSize chunk size in bytes, a power of two from 4 KiB to 64 MiB (default 4 MiB).
 *     Smaller chunks find more duplicates after scattered small changes but cost more objects,
 *     longer manifests and a slightly worse compression ratio
 * @param compressionLevel zstd level, 1 to 22 (default 3)
 * @param threads threads that hash and compress chunks (default: the available processors)
 * @param chunksInFlight chunks read but not yet finished (hashed, compressed and stored) at most;
 *     memory use is at most about {@code 2 * (chunksInFlight + 1) * chunkSize}: a buffer per chunk
 *     in flight plus the compressed copies waiting for the store, and one compression buffer per
 *     thread
 * @param journalEveryChunks how many finished non-zero chunks are recorded in one journal
 *     segment (a rerun after a crash redoes at most this many plus the chunks in flight)
 * @param listener told about finished bytes in disk order; it runs on the bundling thread, so a
 *     slow listener slows bundling down
 */
public record BundleOptions(
    int chunkSize,
    int compressionLevel,
    int threads,
    int chunksInFlight,
    int journalEveryChunks,
    ProgressListener listener) {

  /** The default chunk size, 4 MiB. */
  public static final int DEFAULT_CHUNK_SIZE = 4 << 20;

  /** The default zstd level. */
  public static final int DEFAULT_LEVEL = 3;

  public BundleOptions {
    if (chunkSize < 4096 || chunkSize > (64 << 20) || Integer.bitCount(chunkSize) != 1) {
      throw new IllegalArgumentException("chunk size must be a power of two from 4 KiB to 64 MiB: " + chunkSize);
    }
    if (compressionLevel < 1 || compressionLevel > 22) {
      throw new IllegalArgumentException("zstd level must be within 1..22: " + compressionLevel);
    }
    if (threads < 1 || threads > 256) {
      throw new IllegalArgumentException("threads must be within 1..256: " + threads);
    }
    if (chunksInFlight < 1 || (long) chunksInFlight * chunkSize > (1L << 31)) {
      throw new IllegalArgumentException("chunks in flight must be at least 1 and hold at most 2 GiB");
    }
    if (journalEveryChunks < 1) {
      throw new IllegalArgumentException("journalEveryChunks must be at least 1");
    }
    Objects.requireNonNull(listener, "listener");
  }

  /**
   * 4 MiB chunks, zstd level 3, one thread per processor, four chunks in flight per thread (so that
   * chunks waiting for the store do not stall hashing and compression).
   */
  public static BundleOptions defaults() {
    int processors = Math.max(1, Runtime.getRuntime().availableProcessors());
    return new BundleOptions(DEFAULT_CHUNK_SIZE, DEFAULT_LEVEL, processors, 4 * processors, 64, ProgressListener.NONE);
  }

  /** These options with {@code chunkSize}. */
  public BundleOptions withChunkSize(int chunkSize) {
    return new BundleOptions(chunkSize, compressionLevel, threads, chunksInFlight, journalEveryChunks, listener);
  }

  /** These options with {@code compressionLevel}. */
  public BundleOptions withCompressionLevel(int compressionLevel) {
    return new BundleOptions(chunkSize, compressionLevel, threads, chunksInFlight, journalEveryChunks, listener);
  }

  /** These options with {@code threads} and {@code chunksInFlight}. */
  public BundleOptions withThreads(int threads, int chunksInFlight) {
    return new BundleOptions(chunkSize, compressionLevel, threads, chunksInFlight, journalEveryChunks, listener);
  }

  /** These options with {@code journalEveryChunks}. */
  public BundleOptions withJournalEveryChunks(int journalEveryChunks) {
    return new BundleOptions(chunkSize, compressionLevel, threads, chunksInFlight, journalEveryChunks, listener);
  }

  /** These options with {@code listener}. */
  public BundleOptions withListener(ProgressListener listener) {
    return new BundleOptions(chunkSize, compressionLevel, threads, chunksInFlight, journalEveryChunks, listener);
  }
}
