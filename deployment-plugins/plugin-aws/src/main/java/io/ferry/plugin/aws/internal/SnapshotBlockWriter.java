package io.ferry.plugin.aws.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.ebs.EbsClient;
import software.amazon.awssdk.services.ebs.model.ChecksumAggregationMethod;
import software.amazon.awssdk.services.ebs.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.ebs.model.CompleteSnapshotRequest;
import software.amazon.awssdk.services.ebs.model.PutSnapshotBlockRequest;

/**
 * Writes a disk into a pending EBS snapshot: data is gathered into blocks of the snapshot's block
 * size, all-zero blocks are skipped, the others are sent with PutSnapshotBlock (SHA-256 checksum,
 * base64) by a bounded number of parallel workers, each retried with {@link Backoff} on throttling
 * and 5xx. {@link #finish()} waits for the workers, completes the snapshot with the count of
 * changed blocks and the LINEAR aggregated checksum, and waits until it is {@code completed}.
 */
public final class SnapshotBlockWriter implements DiskImageWriter {

  /** What a writer sent. */
  public record Stats(long blocksSent, long zeroBlocksSkipped, long bytesSent, int blockSize) {}

  private final EbsClient ebs;
  private final Backoff backoff;
  private final ExecutorService pool;
  private final Semaphore inFlight;
  private final int permits;
  private final String snapshotId;
  private final int blockSize;
  private final long virtualSize;
  private final Runnable waitForCompletion;
  private final Checksums.Linear aggregate = new Checksums.Linear();
  private final AtomicReference<FerryException> failure = new AtomicReference<>();
  private final AtomicLong bytesSent = new AtomicLong();
  private final AtomicLong blocksSent = new AtomicLong();
  private long zeroBlocks;
  private long writtenEnd;
  private long currentIndex = -1;
  private byte[] current;
  private boolean finished;
  private boolean aborted;

  SnapshotBlockWriter(
      EbsClient ebs, Backoff backoff, ExecutorService pool, int parallelism, String snapshotId, int blockSize,
      long virtualSize, Runnable waitForCompletion) {
    this.ebs = ebs;
    this.backoff = backoff;
    this.pool = pool;
    this.permits = Math.max(2, parallelism * 2);
    this.inFlight = new Semaphore(permits);
    this.snapshotId = snapshotId;
    this.blockSize = blockSize;
    this.virtualSize = virtualSize;
    this.waitForCompletion = waitForCompletion;
  }

  @Override
  public DiskFormat format() {
    return DiskFormat.RAW;
  }

  @Override
  public long virtualSize() {
    return virtualSize;
  }

  /** The snapshot's block size. */
  public int blockSize() {
    return blockSize;
  }

  /** What was sent so far. */
  public Stats stats() {
    return new Stats(blocksSent.get(), zeroBlocks, bytesSent.get(), blockSize);
  }

  /** Whether {@link #finish()} completed the snapshot. */
  public boolean finished() {
    return finished;
  }

  @Override
  public synchronized void write(long offset, ByteBuffer data) throws IOException {
    checkUsable();
    int length = data.remaining();
    if (offset < writtenEnd) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST, "write at offset " + offset + " goes backwards (already written up to " + writtenEnd + ")");
    }
    if (offset + length > virtualSize) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST, "write of " + length + " bytes at offset " + offset + " ends beyond the disk's " + virtualSize + " bytes");
    }
    int position = data.position();
    long at = offset;
    while (at < offset + length) {
      long index = at / blockSize;
      if (index != currentIndex) {
        flushCurrent();
        currentIndex = index;
        current = new byte[blockSize];
      }
      int within = (int) (at - index * blockSize);
      int count = (int) Math.min(blockSize - within, offset + length - at);
      data.get(position + (int) (at - offset), current, within, count);
      at += count;
    }
    data.position(data.limit());
    writtenEnd = offset + length;
  }

  @Override
  public synchronized void finish() throws IOException {
    checkUsable();
    flushCurrent();
    drain();
    rethrow();
    long changed = aggregate.blocks();
    CompleteSnapshotRequest.Builder request =
        CompleteSnapshotRequest.builder().snapshotId(snapshotId).changedBlocksCount((int) changed);
    if (changed > 0) {
      request
          .checksum(aggregate.finishBase64())
          .checksumAlgorithm(ChecksumAlgorithm.SHA256)
          .checksumAggregationMethod(ChecksumAggregationMethod.LINEAR);
    }
    backoff.call(() -> AwsErrors.call("CompleteSnapshot " + snapshotId, () -> ebs.completeSnapshot(request.build())));
    waitForCompletion.run();
    finished = true;
  }

  /** Stops accepting data and waits for blocks in flight; the snapshot is left pending. */
  synchronized void abort() {
    if (!finished) {
      aborted = true;
      current = null;
      drain();
    }
  }

  @Override
  public void close() {
    abort();
  }

  private void checkUsable() {
    if (finished) {
      throw new FerryException(ErrorCode.INVALID_REQUEST, "snapshot " + snapshotId + " is already finished");
    }
    if (aborted) {
      throw new FerryException(ErrorCode.INVALID_REQUEST, "upload to snapshot " + snapshotId + " was abandoned");
    }
    rethrow();
  }

  private void rethrow() {
    FerryException failed = failure.get();
    if (failed != null) {
      throw new FerryException(failed.code(), "upload to snapshot " + snapshotId + " failed: " + failed.getMessage(), failed);
    }
  }

  private void flushCurrent() {
    byte[] block = current;
    long index = currentIndex;
    current = null;
    currentIndex = -1;
    if (block == null) {
      return;
    }
    if (isZero(block)) {
      zeroBlocks++;
      return;
    }
    byte[] digest = Checksums.sha256(block, 0, block.length);
    aggregate.add(digest);
    String checksum = Base64.getEncoder().encodeToString(digest);
    try {
      inFlight.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FerryException(ErrorCode.CANCELLED, "interrupted while uploading to snapshot " + snapshotId, e);
    }
    try {
      pool.execute(() -> {
        try {
          if (failure.get() == null) {
            put(index, block, checksum);
          }
        } catch (FerryException e) {
          failure.compareAndSet(null, e);
        } catch (RuntimeException e) {
          failure.compareAndSet(null, new FerryException(ErrorCode.INTERNAL, "sending block " + index + " failed: " + e, e));
        } finally {
          inFlight.release();
        }
      });
    } catch (RejectedExecutionException e) {
      inFlight.release();
      throw new FerryException(ErrorCode.CANCELLED, "the plugin was closed during an upload to snapshot " + snapshotId, e);
    }
  }

  private void put(long index, byte[] block, String checksum) {
    PutSnapshotBlockRequest request =
        PutSnapshotBlockRequest.builder()
            .snapshotId(snapshotId)
            .blockIndex((int) index)
            .dataLength(block.length)
            .checksum(checksum)
            .checksumAlgorithm(ChecksumAlgorithm.SHA256)
            .build();
    backoff.call(
        () -> AwsErrors.call("PutSnapshotBlock " + snapshotId + "/" + index, () -> ebs.putSnapshotBlock(request, RequestBody.fromBytes(block))));
    blocksSent.incrementAndGet();
    bytesSent.addAndGet(block.length);
  }

  private void drain() {
    inFlight.acquireUninterruptibly(permits);
    inFlight.release(permits);
  }

  private static boolean isZero(byte[] block) {
    for (byte value : block) {
      if (value != 0) {
        return false;
      }
    }
    return true;
  }
}
