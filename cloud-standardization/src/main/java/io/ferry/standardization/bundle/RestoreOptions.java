package io.ferry.standardization.bundle;

import io.ferry.standardization.ProgressListener;
import java.util.Objects;

/**
 * How {@link Bundles} restores a bundle.
 *
 * @param threads threads that fetch, decompress and re-hash chunks
 * @param chunksInFlight chunks fetched but not yet written at most (bounds memory)
 * @param checkpointEveryChunks how many written chunks between progress checkpoints of a
 *     resumable (raw file or block device) restore
 * @param checkDiskDigest whether to recompute the whole-disk SHA-256 while writing and refuse to
 *     finish the output when it differs from the manifest's
 * @param listener told about restored bytes in disk order
 */
public record RestoreOptions(
    int threads, int chunksInFlight, int checkpointEveryChunks, boolean checkDiskDigest, ProgressListener listener) {

  public RestoreOptions {
    if (threads < 1 || threads > 256 || chunksInFlight < 1 || checkpointEveryChunks < 1) {
      throw new IllegalArgumentException("threads, chunksInFlight and checkpointEveryChunks must be positive");
    }
    Objects.requireNonNull(listener, "listener");
  }

  /** One thread per processor, two chunks in flight per thread, whole-disk digest checked. */
  public static RestoreOptions defaults() {
    int processors = Math.max(1, Runtime.getRuntime().availableProcessors());
    return new RestoreOptions(processors, 2 * processors, 64, true, ProgressListener.NONE);
  }

  /** These options with {@code checkpointEveryChunks}. */
  public RestoreOptions withCheckpointEveryChunks(int checkpointEveryChunks) {
    return new RestoreOptions(threads, chunksInFlight, checkpointEveryChunks, checkDiskDigest, listener);
  }

  /** These options with {@code listener}. */
  public RestoreOptions withListener(ProgressListener listener) {
    return new RestoreOptions(threads, chunksInFlight, checkpointEveryChunks, checkDiskDigest, listener);
  }
}
