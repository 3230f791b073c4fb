package io.ferry.standardization.bundle.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.bundle.BundleManifest;
import io.ferry.standardization.bundle.BundleManifest.ChunkEntry;
import io.ferry.standardization.bundle.BundleManifests;
import io.ferry.standardization.bundle.BundleOptions;
import io.ferry.standardization.bundle.BundleResult;
import io.ferry.standardization.bundle.ChunkStore;
import io.ferry.standardization.bundle.StoredObject;
import io.ferry.standardization.image.DiskImageReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Cuts a disk into chunks and stores them, in three stages: the calling thread reads the chunks
 * that hold data in disk order; a pool of {@code threads} detects zero chunks, hashes and
 * compresses the rest; a second pool writes them to the store, so hashing never waits for the
 * store's writes. The whole-disk digest (format version 2, {@link DiskDigest}) is computed from
 * the chunk ids at the end, so no byte is hashed twice. Results are taken back
 * in disk order and journalled. At most {@code chunksInFlight} chunks are in flight and at most
 * {@code min(chunksInFlight, 2 * threads) + 2} chunk buffers exist (a chunk waiting for the store
 * holds only its compressed copy), so memory stays bounded whatever the disk's size.
 */
public final class Bundler {

  private final ChunkStore store;
  private final Clock clock;

  private final AtomicLong chunksWritten = new AtomicLong();
  private final AtomicLong newChunkBytes = new AtomicLong();
  private final AtomicLong newStoredBytes = new AtomicLong();
  private final AtomicLong chunksReused = new AtomicLong();

  public Bundler(ChunkStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** A chunk taken back in order: null entry for a zero chunk. */
  private record Finished(long offset, long length, ChunkEntry entry) {}

  /** Bundles {@code disk} as {@code bundleId}, resuming from its journal if there is one. */
  public BundleResult bundle(
      String bundleId, DiskImageReader disk, BundleManifest.Source source, BundleOptions options)
      throws IOException {
    long started = System.nanoTime();
    long virtualSize = disk.virtualSize();
    int chunkSize = options.chunkSize();
    DiskLayout.Result layout = DiskLayout.probe(disk);
    BundleJournal.Resume resume =
        BundleJournal.load(store, bundleId, virtualSize, chunkSize, options.compressionLevel());
    Instant createdAt = resume.createdAt() != null ? resume.createdAt() : clock.instant();
    Map<Long, ChunkEntry> resumed = new HashMap<>();
    for (ChunkEntry entry : resume.chunks()) {
      resumed.put(entry.offset(), entry);
    }

    List<ChunkEntry> entries = new ArrayList<>();
    // buffers: one per chunk being hashed or compressed, plus slack for the reading thread;
    // chunks waiting for the store hold only their compressed copy, so fewer buffers than chunks
    int bufferCount = Math.min(options.chunksInFlight(), 2 * options.threads()) + 2;
    BlockingQueue<byte[]> buffers = new ArrayBlockingQueue<>(bufferCount);
    for (int index = 0; index < bufferCount; index++) {
      buffers.add(new byte[chunkSize]);
    }
    ExecutorService pool = Executors.newFixedThreadPool(options.threads(), daemonThreads("ferry-bundle"));
    // writes (and, in a local store, forces) finished chunks while the hashing threads go on
    ExecutorService storing =
        Executors.newFixedThreadPool(Math.min(options.chunksInFlight(), 2 * options.threads()),
            daemonThreads("ferry-bundle-store"));
    // compressed chunks waiting for the store: reused, one per chunk in flight (no allocation per
    // chunk: arrays this large are humongous objects that make G1 collect early)
    BlockingQueue<byte[]> outputs = new ArrayBlockingQueue<>(options.chunksInFlight());
    for (int index = 0; index < options.chunksInFlight(); index++) {
      outputs.add(new byte[ChunkCodec.compressBound(chunkSize)]);
    }
    ArrayDeque<Future<Finished>> inFlight = new ArrayDeque<>();
    JournalWriter journal =
        new JournalWriter(bundleId, createdAt, virtualSize, options, resume.endOffset(), resume.nextSequence());
    long bytesRead = 0;
    String diskSha256;
    try {
      ExtentCursor extents = new ExtentCursor(disk.extents());
      for (long offset = 0; offset < virtualSize; offset += chunkSize) {
        int length = (int) Math.min(chunkSize, virtualSize - offset);
        boolean holdsData = extents.holdsData(offset, offset + length);
        if (offset < resume.endOffset()) {
          // journalled: the chunk's id is all the whole-disk digest needs, so nothing is read
          ChunkEntry done = resumed.get(offset);
          if (done != null) {
            entries.add(done);
          }
          options.listener().progress(offset + length, virtualSize);
          continue;
        }
        while (inFlight.size() >= options.chunksInFlight()) {
          takeBack(inFlight.removeFirst(), entries, journal, options, virtualSize);
        }
        if (!holdsData) {
          inFlight.add(CompletableFuture.completedFuture(new Finished(offset, length, null)));
          continue;
        }
        byte[] buffer = buffers.take();
        readFully(disk, offset, buffer, length);
        bytesRead += length;
        Shared shared = new Shared(buffer, buffers, 1);
        inFlight.add(submitChunk(pool, storing, offset, shared, length, outputs, options.compressionLevel()));
      }
      while (!inFlight.isEmpty()) {
        takeBack(inFlight.removeFirst(), entries, journal, options, virtualSize);
      }
      // format version 2: the digest over the chunk grid's digests, from the chunk ids alone
      diskSha256 = DiskDigest.chunkList(entries, chunkSize, virtualSize);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new FerryException(ErrorCode.CANCELLED, "bundling " + bundleId + " was interrupted");
    } finally {
      inFlight.forEach(future -> future.cancel(true));
      pool.shutdownNow();
      storing.shutdownNow();
    }

    BundleManifest manifest =
        new BundleManifest(
            BundleManifest.FORMAT_VERSION,
            bundleId,
            createdAt,
            source,
            new BundleManifest.Disk(
                virtualSize, layout.logicalSectorSize(), diskSha256, BundleManifest.Disk.SHA256_CHUNK_LIST),
            new BundleManifest.Chunking(chunkSize, "zstd", options.compressionLevel()),
            layout.table(),
            layout.bootMode(),
            null,
            null,
            entries);
    BundleManifests.validate(manifest, bundleId);
    store.putManifest(bundleId, BundleManifests.toJson(manifest));
    store.deleteJournal(bundleId);
    return new BundleResult(
        manifest,
        bytesRead,
        chunksWritten.get(),
        newChunkBytes.get(),
        newStoredBytes.get(),
        chunksReused.get(),
        resume.chunks().size(),
        Duration.ofNanos(System.nanoTime() - started));
  }

  /**
   * Hashes and compresses one chunk on {@code pool}, then writes it on {@code storing}, so that the
   * hashing threads never wait for the store (a local store forces every chunk to disk). The
   * chunk's buffer goes back as soon as it is compressed; its output buffer once it is stored.
   */
  private CompletableFuture<Finished> submitChunk(
      ExecutorService pool,
      ExecutorService storing,
      long offset,
      Shared shared,
      int length,
      BlockingQueue<byte[]> outputs,
      int level) {
    CompletableFuture<Finished> result = new CompletableFuture<>();
    pool.execute(
        () -> {
          boolean released = false;
          try {
            byte[] data = shared.buffer;
            if (ChunkCodec.isAllZero(data, length)) {
              result.complete(new Finished(offset, length, null));
              return;
            }
            String chunkId = ChunkCodec.sha256(data, length);
            Optional<StoredObject> existing = store.touchChunk(chunkId);
            if (existing.isPresent()) {
              chunksReused.incrementAndGet();
              result.complete(
                  new Finished(offset, length, new ChunkEntry(offset, length, chunkId, existing.get().size())));
              return;
            }
            byte[] output = outputs.take();
            int compressed = ChunkCodec.compress(data, length, output, level);
            shared.release();
            released = true;
            storing.execute(
                () -> {
                  try {
                    store.putChunk(chunkId, output, 0, compressed);
                    chunksWritten.incrementAndGet();
                    newChunkBytes.addAndGet(length);
                    newStoredBytes.addAndGet(compressed);
                    result.complete(new Finished(offset, length, new ChunkEntry(offset, length, chunkId, compressed)));
                  } catch (Throwable failure) {
                    result.completeExceptionally(failure);
                  } finally {
                    outputs.add(output);
                  }
                });
          } catch (Throwable failure) {
            result.completeExceptionally(failure);
          } finally {
            if (!released) {
              shared.release();
            }
          }
        });
    return result;
  }

  private void takeBack(
      Future<Finished> future, List<ChunkEntry> entries, JournalWriter journal, BundleOptions options,
      long virtualSize)
      throws IOException, InterruptedException {
    Finished finished;
    try {
      finished = future.get();
    } catch (ExecutionException failed) {
      Throwable cause = failed.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new FerryException(ErrorCode.INTERNAL, "chunk worker failed", cause);
    }
    if (finished.entry() != null) {
      entries.add(finished.entry());
    }
    journal.finished(finished.offset() + finished.length(), finished.entry());
    options.listener().progress(finished.offset() + finished.length(), virtualSize);
  }

  /** A chunk buffer lent to the hashing stage; back to the pool when its users are done. */
  private static final class Shared {
    private final byte[] buffer;
    private final BlockingQueue<byte[]> pool;
    private final java.util.concurrent.atomic.AtomicInteger users;

    Shared(byte[] buffer, BlockingQueue<byte[]> pool, int users) {
      this.buffer = buffer;
      this.pool = pool;
      this.users = new java.util.concurrent.atomic.AtomicInteger(users);
    }

    void release() {
      if (users.decrementAndGet() == 0) {
        pool.add(buffer);
      }
    }
  }

  private static void readFully(DiskImageReader disk, long offset, byte[] buffer, int length)
      throws IOException {
    ByteBuffer target = ByteBuffer.wrap(buffer, 0, length);
    disk.read(offset, target);
    if (target.hasRemaining()) {
      throw new FerryException(
          ErrorCode.IMAGE_CORRUPT,
          "the disk returned " + target.position() + " of " + length + " bytes at offset " + offset);
    }
  }

  static java.util.concurrent.ThreadFactory daemonThreads(String name) {
    AtomicLong counter = new AtomicLong();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + counter.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Batches finished chunks into journal segments. */
  private final class JournalWriter {
    private final String bundleId;
    private final Instant createdAt;
    private final long virtualSize;
    private final BundleOptions options;
    private final List<ChunkEntry> pending = new ArrayList<>();
    private long segmentStart;
    private long sequence;

    JournalWriter(
        String bundleId, Instant createdAt, long virtualSize, BundleOptions options, long start, long sequence) {
      this.bundleId = bundleId;
      this.createdAt = createdAt;
      this.virtualSize = virtualSize;
      this.options = options;
      this.segmentStart = start;
      this.sequence = sequence;
    }

    void finished(long end, ChunkEntry entry) throws IOException {
      if (entry != null) {
        pending.add(entry);
      }
      if (pending.size() >= options.journalEveryChunks()) {
        BundleJournal.append(
            store,
            new BundleJournal.Segment(
                1, bundleId, sequence, createdAt, virtualSize, options.chunkSize(),
                options.compressionLevel(), segmentStart, end, List.copyOf(pending)));
        pending.clear();
        segmentStart = end;
        sequence++;
      }
    }
  }
}
