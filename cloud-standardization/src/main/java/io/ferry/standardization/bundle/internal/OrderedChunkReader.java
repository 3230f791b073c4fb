package io.ferry.standardization.bundle.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.bundle.BundleManifest.ChunkEntry;
import io.ferry.standardization.bundle.ChunkStore;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Fetches, decompresses and re-hashes a bundle's chunks on a pool of threads and hands them back
 * in manifest order, with at most {@code chunksInFlight} chunks (and buffers) alive at once.
 */
public final class OrderedChunkReader implements AutoCloseable {

  /**
   * A chunk handed back: its uncompressed data (valid until {@link OrderedChunkReader#release}),
   * or the problem that makes it unusable.
   */
  public record Fetched(ChunkEntry entry, byte[] data, String problem) {
    /** Whether the chunk decompressed to its length and hashed to its id. */
    public boolean intact() {
      return problem == null;
    }
  }

  private final ChunkStore store;
  private final Iterator<ChunkEntry> entries;
  private final BlockingQueue<byte[]> buffers;
  private final ExecutorService pool;
  private final ArrayDeque<Future<Fetched>> inFlight = new ArrayDeque<>();
  private final int chunksInFlight;

  public OrderedChunkReader(
      ChunkStore store, List<ChunkEntry> entries, int chunkSize, int threads, int chunksInFlight) {
    this.store = store;
    this.entries = entries.iterator();
    this.chunksInFlight = chunksInFlight;
    this.buffers = new ArrayBlockingQueue<>(chunksInFlight + 1);
    for (int index = 0; index <= chunksInFlight; index++) {
      buffers.add(new byte[chunkSize]);
    }
    this.pool = Executors.newFixedThreadPool(threads, Bundler.daemonThreads("ferry-chunk-reader"));
  }

  /** The next chunk in manifest order, or null after the last. */
  public Fetched next() throws IOException, InterruptedException {
    while (inFlight.size() < chunksInFlight && entries.hasNext()) {
      ChunkEntry entry = entries.next();
      byte[] buffer = buffers.take();
      inFlight.add(pool.submit(() -> fetch(entry, buffer)));
    }
    if (inFlight.isEmpty()) {
      return null;
    }
    try {
      return inFlight.removeFirst().get();
    } catch (ExecutionException failed) {
      Throwable cause = failed.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new FerryException(ErrorCode.INTERNAL, "chunk reader failed", cause);
    }
  }

  /** Gives a fetched chunk's buffer back for reuse. */
  public void release(Fetched fetched) {
    buffers.add(fetched.data());
  }

  private Fetched fetch(ChunkEntry entry, byte[] buffer) throws IOException {
    byte[] compressed;
    try {
      compressed = store.getChunk(entry.sha256());
    } catch (FerryException missing) {
      if (missing.code() == ErrorCode.NOT_FOUND) {
        return new Fetched(entry, buffer, "missing from the store");
      }
      throw missing;
    }
    try {
      ChunkCodec.decompress(compressed, buffer, (int) entry.length());
    } catch (IllegalArgumentException damaged) {
      return new Fetched(entry, buffer, damaged.getMessage());
    }
    String actual = ChunkCodec.sha256(buffer, (int) entry.length());
    if (!actual.equals(entry.sha256())) {
      return new Fetched(entry, buffer, "content hashes to " + actual);
    }
    return new Fetched(entry, buffer, null);
  }

  @Override
  public void close() {
    inFlight.forEach(future -> future.cancel(true));
    pool.shutdownNow();
  }
}
