package io.ferry.standardization.image.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.ProgressListener;
import io.ferry.standardization.image.ConversionStats;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.Extent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Copies a disk from a reader to a writer: walks the extent map, reads only DATA extents in
 * blocks on a small thread pool, skips all-zero runs, and hands data to the writer in ascending
 * order. At most {@code readThreads * 3} blocks are in memory at once.
 */
public final class Converter {

  /** Size of one read. */
  public static final int BLOCK_SIZE = 1 << 20;

  /** Zero runs of this size, aligned to it on the disk, are not written. */
  public static final int ZERO_GRANULARITY = 64 * 1024;

  private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();

  private final int readThreads;

  /** A converter reading with {@code readThreads} threads. */
  public Converter(int readThreads) {
    if (readThreads < 1) {
      throw new IllegalArgumentException("readThreads must be at least 1");
    }
    this.readThreads = readThreads;
  }

  /** Converts and finishes the writer; neither reader nor writer is closed. */
  public ConversionStats convert(
      DiskImageReader reader, DiskImageWriter writer, ProgressListener listener)
      throws IOException {
    long started = System.nanoTime();
    long virtualSize = reader.virtualSize();
    if (writer.virtualSize() < virtualSize) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST,
          "target virtual size "
              + writer.virtualSize()
              + " is smaller than the source's "
              + virtualSize);
    }
    BlockPlan plan = new BlockPlan(reader.extents(), virtualSize);
    int maxInFlight = readThreads * 3;
    ExecutorService pool =
        Executors.newFixedThreadPool(
            readThreads,
            runnable -> {
              Thread thread =
                  new Thread(runnable, "ferry-convert-read-" + THREAD_NUMBER.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    // Blocks are reused (writers never keep a reference to the data they were handed) and direct,
    // so that file reads and writes need no copy through a temporary native buffer.
    ArrayBlockingQueue<ByteBuffer> freeBlocks = new ArrayBlockingQueue<>(maxInFlight + 1);
    for (int i = 0; i <= maxInFlight; i++) {
      freeBlocks.add(ByteBuffer.allocateDirect(BLOCK_SIZE));
    }
    ArrayDeque<Future<ByteBuffer>> inFlight = new ArrayDeque<>();
    ArrayDeque<long[]> ranges = new ArrayDeque<>();
    long bytesRead = 0;
    long bytesWritten = 0;
    long zeroBytes = 0;
    try {
      while (true) {
        while (inFlight.size() < maxInFlight && plan.hasNext()) {
          long[] range = plan.next();
          ranges.add(range);
          ByteBuffer buffer = freeBlocks.poll();
          inFlight.add(pool.submit(() -> readBlock(reader, range[0], (int) range[1], buffer)));
        }
        if (inFlight.isEmpty()) {
          break;
        }
        long[] range = ranges.poll();
        ByteBuffer block = await(inFlight.poll());
        bytesRead += range[1];
        long written = writeNonZeroRuns(writer, range[0], block);
        bytesWritten += written;
        zeroBytes += range[1] - written;
        freeBlocks.add(block);
        listener.progress(range[0] + range[1], virtualSize);
      }
      writer.finish();
      listener.progress(virtualSize, virtualSize);
    } finally {
      for (Future<ByteBuffer> future : inFlight) {
        future.cancel(true);
      }
      pool.shutdownNow();
    }
    return new ConversionStats(
        bytesRead, bytesWritten, zeroBytes, Duration.ofNanos(System.nanoTime() - started));
  }

  private static ByteBuffer readBlock(
      DiskImageReader reader, long offset, int length, ByteBuffer buffer) throws IOException {
    buffer.clear().limit(length);
    reader.read(offset, buffer);
    if (buffer.hasRemaining()) {
      throw new FerryException(
          ErrorCode.INTERNAL,
          reader.format().id() + " reader returned a short read at offset " + offset);
    }
    buffer.flip();
    return buffer;
  }

  private static ByteBuffer await(Future<ByteBuffer> future) throws IOException {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FerryException(ErrorCode.CANCELLED, "conversion interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new FerryException(ErrorCode.INTERNAL, "read failed", cause);
    }
  }

  /** Writes the block minus its aligned all-zero runs; returns the bytes written. */
  private static long writeNonZeroRuns(DiskImageWriter writer, long offset, ByteBuffer block)
      throws IOException {
    int length = block.remaining();
    long written = 0;
    int runStart = -1;
    int position = 0;
    while (position < length) {
      long absolute = offset + position;
      int chunk =
          (int) Math.min(length - position, ZERO_GRANULARITY - (absolute % ZERO_GRANULARITY));
      boolean zero = Zeros.isZero(block.slice(position, chunk));
      if (!zero && runStart < 0) {
        runStart = position;
      } else if (zero && runStart >= 0) {
        writer.write(offset + runStart, block.slice(runStart, position - runStart));
        written += position - runStart;
        runStart = -1;
      }
      position += chunk;
    }
    if (runStart >= 0) {
      writer.write(offset + runStart, block.slice(runStart, length - runStart));
      written += length - runStart;
    }
    return written;
  }

  /** Splits DATA extents into blocks aligned to {@link #BLOCK_SIZE}; checks the extent map. */
  private static final class BlockPlan {
    private final Iterator<Extent> extents;
    private final long virtualSize;
    private long expectedOffset;
    private long position;
    private long end;

    BlockPlan(Iterator<Extent> extents, long virtualSize) {
      this.extents = extents;
      this.virtualSize = virtualSize;
    }

    boolean hasNext() {
      while (position >= end) {
        if (!extents.hasNext()) {
          if (expectedOffset != virtualSize) {
            throw new FerryException(
                ErrorCode.IMAGE_CORRUPT,
                "extent map ends at offset " + expectedOffset + " before the virtual size "
                    + virtualSize);
          }
          return false;
        }
        Extent extent = nextExtent();
        if (extent.type().holdsData()) {
          position = extent.offset();
          end = extent.end();
        }
      }
      return true;
    }

    private Extent nextExtent() {
      Extent extent;
      try {
        extent = extents.next();
      } catch (UncheckedIOException e) {
        throw new FerryException(ErrorCode.IO_ERROR, e.getMessage(), e);
      }
      if (extent.offset() != expectedOffset || extent.end() > virtualSize) {
        throw new FerryException(
            ErrorCode.IMAGE_CORRUPT,
            "extent map is not contiguous: expected an extent at offset "
                + expectedOffset
                + " within "
                + virtualSize
                + ", got "
                + extent);
      }
      expectedOffset = extent.end();
      return extent;
    }

    long[] next() {
      long blockEnd = Math.min(end, (position / BLOCK_SIZE + 1) * BLOCK_SIZE);
      long[] range = {position, blockEnd - position};
      position = blockEnd;
      return range;
    }
  }
}
