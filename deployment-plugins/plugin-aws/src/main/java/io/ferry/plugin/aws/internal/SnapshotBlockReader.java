package io.ferry.plugin.aws.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.Extent;
import io.ferry.standardization.image.ExtentType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.ebs.EbsClient;
import software.amazon.awssdk.services.ebs.model.Block;
import software.amazon.awssdk.services.ebs.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.ebs.model.GetSnapshotBlockRequest;
import software.amazon.awssdk.services.ebs.model.GetSnapshotBlockResponse;
import software.amazon.awssdk.services.ebs.model.ListSnapshotBlocksResponse;

/**
 * An EBS snapshot read through the EBS direct APIs as a raw disk. The extent map is the
 * snapshot's allocated blocks (ListSnapshotBlocks, paged); a read fetches the allocated blocks it
 * covers in parallel (GetSnapshotBlock) and verifies each block's SHA-256 checksum. The block size
 * is whatever the API reports (512 KiB on AWS).
 */
public final class SnapshotBlockReader implements DiskImageReader {

  private static final int RECENT_BLOCKS = 4;
  private static final byte[] ZEROS = new byte[64 * 1024];

  private final EbsClient ebs;
  private final Backoff backoff;
  private final ExecutorService pool;
  private final String snapshotId;
  private final BlockMap blocks;
  private final int blockSize;
  private final long virtualSize;
  private final Map<Long, byte[]> recent = new LinkedHashMap<>(8, 0.75f, true);
  private volatile List<String> otherDisks = List.of();

  private SnapshotBlockReader(
      EbsClient ebs, Backoff backoff, ExecutorService pool, String snapshotId, BlockMap blocks, int blockSize, long virtualSize) {
    this.ebs = ebs;
    this.backoff = backoff;
    this.pool = pool;
    this.snapshotId = snapshotId;
    this.blocks = blocks;
    this.blockSize = blockSize;
    this.virtualSize = virtualSize;
  }

  /** Opens snapshot {@code snapshotId}; NOT_FOUND when it does not exist. */
  /** The AMI's disks besides this snapshot (see {@link #otherDisks()}); returns this reader. */
  public SnapshotBlockReader withOtherDisks(List<String> others) {
    this.otherDisks = List.copyOf(others);
    return this;
  }

  @Override
  public List<String> otherDisks() {
    return otherDisks;
  }

  public static SnapshotBlockReader open(EbsClient ebs, Backoff backoff, ExecutorService pool, String snapshotId) {
    BlockMap blocks = new BlockMap(ebs, backoff, snapshotId);
    ListSnapshotBlocksResponse first = blocks.firstResponse();
    Integer blockSize = first.blockSize();
    Long volumeGib = first.volumeSize();
    if (blockSize == null || blockSize < 512 || blockSize > (16 << 20) || volumeGib == null || volumeGib < 1 || volumeGib > 65536) {
      throw new FerryException(
          ErrorCode.IMAGE_CORRUPT,
          "snapshot " + snapshotId + " reports an unusable geometry: block size " + blockSize + ", volume size " + volumeGib + " GiB");
    }
    return new SnapshotBlockReader(ebs, backoff, pool, snapshotId, blocks, blockSize, volumeGib << 30);
  }

  /** The snapshot's block size in bytes, as the API reports it. */
  public int blockSize() {
    return blockSize;
  }

  @Override
  public DiskFormat format() {
    return DiskFormat.RAW;
  }

  @Override
  public long virtualSize() {
    return virtualSize;
  }

  @Override
  public Iterator<Extent> extents() {
    return new ExtentIterator();
  }

  @Override
  public void read(long offset, ByteBuffer destination) throws IOException {
    int length = destination.remaining();
    if (offset < 0 || offset + length > virtualSize) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST,
          "read of " + length + " bytes at offset " + offset + " lies outside snapshot " + snapshotId + " of " + virtualSize + " bytes");
    }
    if (length == 0) {
      return;
    }
    int base = destination.position();
    long end = offset + length;
    if (!blocks.anyAllocated(offset / blockSize, (end - 1) / blockSize)) {
      for (int done = 0; done < length; done += ZEROS.length) {
        destination.put(base + done, ZEROS, 0, Math.min(ZEROS.length, length - done));
      }
      destination.position(base + length);
      return;
    }
    List<Future<?>> pending = new ArrayList<>();
    List<Runnable> inline = new ArrayList<>();
    for (long index = offset / blockSize; index * blockSize < end; index++) {
      long blockStart = index * blockSize;
      long from = Math.max(offset, blockStart);
      int count = (int) (Math.min(end, blockStart + blockSize) - from);
      int target = base + (int) (from - offset);
      int within = (int) (from - blockStart);
      String token = blocks.token(index);
      if (token == null) {
        for (int done = 0; done < count; done += ZEROS.length) {
          destination.put(target + done, ZEROS, 0, Math.min(ZEROS.length, count - done));
        }
        continue;
      }
      byte[] cached = cached(index);
      if (cached != null) {
        destination.put(target, cached, within, count);
        continue;
      }
      long blockIndex = index;
      Runnable copy = () -> destination.put(target, fetch(blockIndex, token), within, count);
      inline.add(copy);
    }
    if (inline.size() == 1) {
      inline.get(0).run();
    } else {
      for (Runnable copy : inline) {
        pending.add(pool.submit(copy));
      }
      await(pending);
    }
    destination.position(base + length);
  }

  @Override
  public void close() {
    synchronized (recent) {
      recent.clear();
    }
  }

  private byte[] cached(long index) {
    synchronized (recent) {
      return recent.get(index);
    }
  }

  private byte[] fetch(long index, String token) {
    GetSnapshotBlockRequest request =
        GetSnapshotBlockRequest.builder().snapshotId(snapshotId).blockIndex((int) index).blockToken(token).build();
    ResponseBytes<GetSnapshotBlockResponse> response =
        backoff.call(() -> AwsErrors.call("GetSnapshotBlock " + snapshotId + "/" + index, () -> ebs.getSnapshotBlockAsBytes(request)));
    byte[] data = response.asByteArrayUnsafe();
    long offset = index * blockSize;
    if (data.length != blockSize) {
      throw new FerryException(
          ErrorCode.IMAGE_CORRUPT,
          "snapshot " + snapshotId + " block " + index + " (offset " + offset + ") holds " + data.length + " bytes, not " + blockSize);
    }
    GetSnapshotBlockResponse metadata = response.response();
    if (metadata.checksumAlgorithm() != ChecksumAlgorithm.SHA256 || metadata.checksum() == null) {
      throw new FerryException(
          ErrorCode.INTEGRITY_CHECK_FAILED,
          "snapshot " + snapshotId + " block " + index + " (offset " + offset + ") came without a SHA256 checksum ("
              + metadata.checksumAlgorithmAsString() + ")");
    }
    byte[] expected;
    try {
      expected = Base64.getDecoder().decode(metadata.checksum());
    } catch (IllegalArgumentException e) {
      expected = new byte[0];
    }
    if (!Arrays.equals(expected, Checksums.sha256(data, 0, data.length))) {
      throw new FerryException(
          ErrorCode.INTEGRITY_CHECK_FAILED,
          "snapshot " + snapshotId + " block " + index + " (offset " + offset + "): SHA-256 of the data does not match the checksum "
              + metadata.checksum());
    }
    synchronized (recent) {
      recent.put(index, data);
      if (recent.size() > RECENT_BLOCKS) {
        recent.remove(recent.keySet().iterator().next());
      }
    }
    return data;
  }

  private static void await(List<Future<?>> pending) throws IOException {
    FerryException failure = null;
    for (Future<?> future : pending) {
      try {
        future.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        pending.forEach(other -> other.cancel(true));
        throw new FerryException(ErrorCode.CANCELLED, "interrupted while reading snapshot blocks", e);
      } catch (ExecutionException e) {
        if (failure == null) {
          failure = e.getCause() instanceof FerryException ferry
              ? ferry
              : new FerryException(ErrorCode.INTERNAL, "reading a snapshot block failed: " + e.getCause(), e.getCause());
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Extents from the allocated blocks, page by page: DATA runs and UNALLOCATED gaps. */
  private final class ExtentIterator implements Iterator<Extent> {
    private final Deque<Extent> ready = new ArrayDeque<>();
    private String nextToken;
    private boolean listed;
    private boolean exhausted;
    private long covered;
    private long runStart = -1;
    private long runEnd = -1;
    private long lastIndex = -1;

    @Override
    public boolean hasNext() {
      while (ready.isEmpty() && !exhausted) {
        advance();
      }
      return !ready.isEmpty();
    }

    @Override
    public Extent next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return ready.removeFirst();
    }

    private void advance() {
      if (listed && nextToken == null) {
        flushRun();
        if (covered < virtualSize) {
          ready.add(new Extent(covered, virtualSize - covered, ExtentType.UNALLOCATED));
          covered = virtualSize;
        }
        exhausted = true;
        return;
      }
      ListSnapshotBlocksResponse page = blocks.list(0, nextToken);
      listed = true;
      nextToken = page.nextToken();
      List<Block> sorted = new ArrayList<>(page.blocks());
      sorted.sort((a, b) -> Integer.compare(a.blockIndex(), b.blockIndex()));
      for (Block block : sorted) {
        long index = block.blockIndex();
        if (index <= lastIndex || index < 0 || index * blockSize >= virtualSize) {
          throw new FerryException(
              ErrorCode.IMAGE_CORRUPT,
              "snapshot " + snapshotId + " lists block " + index + " out of order or beyond its " + virtualSize + " bytes");
        }
        lastIndex = index;
        if (index == runEnd) {
          runEnd++;
        } else {
          flushRun();
          runStart = index;
          runEnd = index + 1;
        }
      }
    }

    private void flushRun() {
      if (runStart < 0) {
        return;
      }
      long start = runStart * blockSize;
      long end = Math.min(runEnd * blockSize, virtualSize);
      if (start > covered) {
        ready.add(new Extent(covered, start - covered, ExtentType.UNALLOCATED));
      }
      ready.add(new Extent(start, end - start, ExtentType.DATA));
      covered = end;
      runStart = -1;
      runEnd = -1;
    }
  }
}
