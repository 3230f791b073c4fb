package io.ferry.standardization.image.qcow2;

import static io.ferry.standardization.image.qcow2.Qcow2ImageReader.FLAG_COMPRESSED;
import static io.ferry.standardization.image.qcow2.Qcow2ImageReader.FLAG_COPIED;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.WriteOptions;
import io.ferry.standardization.image.internal.FileWrites;
import io.ferry.standardization.image.internal.PartialFile;
import io.ferry.standardization.image.internal.Zeros;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.Deflater;

/**
 * Writes a qcow2 version 3 image as one append-only stream: header cluster, a reserved L1 table,
 * then data clusters, L2 tables and refcount blocks in the order they complete, and the refcount
 * table with the last refcount blocks at the end. Memory holds one cluster being assembled, one
 * L2 table, one refcount block and a bounded queue of clusters being compressed, whatever the
 * size of the disk. Optional deflate compression runs on {@link WriteOptions#threads()} threads.
 */
final class Qcow2ImageWriter implements DiskImageWriter {

  static final int DEFAULT_CLUSTER_SIZE = 64 * 1024;
  private static final int REFCOUNT_ORDER = 4;
  private static final int HEADER_LENGTH = 112;
  private static final int OUTPUT_BUFFER = 1 << 20;

  private final PartialFile file;
  private final FileChannel channel;
  private final long virtualSize;
  private final int clusterBits;
  private final int clusterSize;
  private final int l2Entries;
  private final int l1Entries;
  private final long l1Offset;
  private final int refcountEntries;
  private final boolean compressed;
  private final int level;
  private final ExecutorService compressors;
  private final int maxQueued;
  private final ThreadLocal<Deflater> deflaters;

  // direct, so that writing it needs no copy into a temporary native buffer
  private final ByteBuffer out = ByteBuffer.allocateDirect(OUTPUT_BUFFER);
  private long outStart;

  // Whole data clusters still in the caller's buffer: bytes [runStart, runEnd) of run, the next
  // bytes of the file after out's (out is empty while a run is pending). They are written straight
  // from there, in one go, before anything else is appended and before write returns: copying
  // every data cluster into out cost a tenth of a raw-to-qcow2 conversion.
  private ByteBuffer run;
  private int runStart;
  private int runEnd;

  private long nextCluster;
  private long openCluster = -1;
  private int openCount;
  private ByteBuffer refcountBlock;
  private final ArrayDeque<PendingBlock> completedBlocks = new ArrayDeque<>();
  private long[] refcountTable = new long[16];

  private long currentL1Index = -1;
  private final long[] l2;
  private boolean l2Used;

  private long bufferCluster = -1;
  private byte[] clusterBuffer;
  private final ArrayDeque<Job> jobs = new ArrayDeque<>();

  private long nextWriteOffset;
  private boolean finished;

  private record PendingBlock(long index, ByteBuffer content) {}

  private record Job(long cluster, byte[] raw, Future<byte[]> compressed) {}

  private Qcow2ImageWriter(PartialFile file, long virtualSize, WriteOptions options) {
    this.file = file;
    this.channel = file.channel();
    // qemu sees whole 512-byte sectors only: round up like qemu-img does.
    this.virtualSize = (virtualSize + 511) & ~511L;
    this.clusterSize = options.clusterSizeOr(DEFAULT_CLUSTER_SIZE);
    this.clusterBits = Integer.numberOfTrailingZeros(clusterSize);
    this.l2Entries = clusterSize / 8;
    long l1 = Qcow2Header.ceilDivide(this.virtualSize, (long) clusterSize * l2Entries);
    this.l1Entries = (int) l1;
    this.l1Offset = clusterSize;
    this.refcountEntries = clusterSize * 8 / (1 << REFCOUNT_ORDER);
    this.compressed = options.compressed();
    this.level =
        options.compressionLevel() == WriteOptions.DEFAULT_LEVEL
            ? Deflater.DEFAULT_COMPRESSION
            : Math.min(9, options.compressionLevel());
    this.compressors =
        compressed && options.threads() > 1
            ? Executors.newFixedThreadPool(
                options.threads(),
                runnable -> {
                  Thread thread = new Thread(runnable, "ferry-qcow2-deflate");
                  thread.setDaemon(true);
                  return thread;
                })
            : null;
    this.maxQueued = options.threads() * 4;
    this.deflaters = ThreadLocal.withInitial(() -> new Deflater(level, true));
    this.l2 = new long[l2Entries];
    this.refcountBlock = ByteBuffer.allocate(clusterSize);
    // An empty L1 table takes no cluster (qemu-img check would call it leaked).
    int l1Clusters = (int) Qcow2Header.ceilDivide(l1Entries * 8L, clusterSize);
    for (int i = 0; i <= l1Clusters; i++) {
      emit(i, 1); // the header cluster and the reserved L1 table
    }
    this.outStart = (long) (1 + l1Clusters) * clusterSize;
  }

  static Qcow2ImageWriter create(Path target, long virtualSize, WriteOptions options)
      throws IOException {
    int clusterSize = options.clusterSizeOr(DEFAULT_CLUSTER_SIZE);
    if (clusterSize < 512 || clusterSize > (1 << 21)) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST, "qcow2 cluster size must be within 512 B..2 MiB: " + clusterSize);
    }
    long l1 = Qcow2Header.ceilDivide(virtualSize, (long) clusterSize * (clusterSize / 8));
    if (virtualSize > Qcow2Header.MAX_VIRTUAL_SIZE || l1 > Qcow2Header.MAX_L1_ENTRIES) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST,
          "virtual size " + virtualSize + " is too large for qcow2 with " + clusterSize
              + "-byte clusters");
    }
    return new Qcow2ImageWriter(PartialFile.create(target, options.durable()), virtualSize, options);
  }

  @Override
  public DiskFormat format() {
    return DiskFormat.QCOW2;
  }

  @Override
  public long virtualSize() {
    return virtualSize;
  }

  @Override
  public void write(long offset, ByteBuffer data) throws IOException {
    if (finished) {
      throw new IllegalStateException("writer is finished");
    }
    if (offset < nextWriteOffset || offset > virtualSize - data.remaining()) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST,
          "write of " + data.remaining() + " bytes at offset " + offset
              + " goes backwards (next " + nextWriteOffset + ") or past the disk end " + virtualSize);
    }
    long position = offset;
    while (data.hasRemaining()) {
      long cluster = position >>> clusterBits;
      int inCluster = (int) (position & (clusterSize - 1));
      int length = Math.min(data.remaining(), clusterSize - inCluster);
      if (!compressed && length == clusterSize) {
        // a whole cluster: straight from the caller's buffer into the output, no cluster copy
        flushClusterBuffer();
        if (!Zeros.isZero(data.slice(data.position(), clusterSize))) {
          placeBorrowed(cluster, data, data.position());
        }
        data.position(data.position() + clusterSize);
        position += clusterSize;
        continue;
      }
      if (cluster != bufferCluster) {
        flushClusterBuffer();
        bufferCluster = cluster;
        if (clusterBuffer == null || compressed) {
          clusterBuffer = new byte[clusterSize];
        } else {
          Arrays.fill(clusterBuffer, (byte) 0);
        }
      }
      data.get(clusterBuffer, inCluster, length);
      position += length;
      if (inCluster + length == clusterSize) {
        flushClusterBuffer();
      }
    }
    flushRun(); // the caller may reuse its buffer once write returns
    nextWriteOffset = position;
  }

  private void flushClusterBuffer() throws IOException {
    if (bufferCluster < 0) {
      return;
    }
    long cluster = bufferCluster;
    bufferCluster = -1;
    if (Zeros.isZero(clusterBuffer, 0, clusterSize)) {
      return;
    }
    byte[] raw = clusterBuffer;
    if (!compressed) {
      place(cluster, ByteBuffer.wrap(raw), null);
    } else if (compressors == null) {
      place(cluster, ByteBuffer.wrap(raw), deflate(raw));
    } else {
      jobs.add(new Job(cluster, raw, compressors.submit(() -> deflate(raw))));
      while (jobs.size() > maxQueued) {
        drainOne();
      }
    }
  }

  private void drainOne() throws IOException {
    Job job = jobs.poll();
    try {
      place(job.cluster(), ByteBuffer.wrap(job.raw()), job.compressed().get());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FerryException(ErrorCode.CANCELLED, "qcow2 write interrupted", e);
    } catch (ExecutionException e) {
      throw new FerryException(ErrorCode.INTERNAL, "qcow2 compression failed", e.getCause());
    }
  }

  /** Deflates a cluster; null when the result would not be smaller than a cluster. */
  private byte[] deflate(byte[] raw) {
    Deflater deflater = deflaters.get();
    deflater.reset();
    deflater.setInput(raw);
    deflater.finish();
    byte[] output = new byte[clusterSize - 1];
    int length = 0;
    while (!deflater.finished() && length < output.length) {
      length += deflater.deflate(output, length, output.length - length);
    }
    return deflater.finished() ? Arrays.copyOf(output, length) : null;
  }

  /** Stores one data cluster and records it in the current L2 table. */
  private void place(long cluster, ByteBuffer raw, byte[] deflated) throws IOException {
    beforePlacing(cluster);
    long entry;
    if (deflated != null) {
      entry = appendCompressed(deflated);
    } else {
      entry = appendCluster(raw) | FLAG_COPIED;
    }
    l2[(int) (cluster % l2Entries)] = entry;
    l2Used = true;
  }

  /**
   * Stores the whole uncompressed data cluster at {@code start} of the caller's {@code data}
   * without copying it: it joins the pending run (see {@link #run}).
   */
  private void placeBorrowed(long cluster, ByteBuffer data, int start) throws IOException {
    beforePlacing(cluster);
    long offset = nextCluster * clusterSize;
    emit(nextCluster, 1);
    if (run == data && start == runEnd) {
      runEnd += clusterSize;
    } else {
      flushRun();
      flushOutput();
      run = data;
      runStart = start;
      runEnd = start + clusterSize;
    }
    l2[(int) (cluster % l2Entries)] = offset | FLAG_COPIED;
    l2Used = true;
  }

  /** Moves to the L2 table of {@code cluster} and writes the refcount blocks completed so far. */
  private void beforePlacing(long cluster) throws IOException {
    long l1Index = cluster / l2Entries;
    if (l1Index != currentL1Index) {
      flushL2();
      currentL1Index = l1Index;
    }
    writePendingRefcountBlocks();
  }

  /** Writes the pending run of borrowed clusters, if any, at the end of the file. */
  private void flushRun() throws IOException {
    if (run == null) {
      return;
    }
    int length = runEnd - runStart;
    FileWrites.writeFully(channel, run.slice(runStart, length), outStart);
    outStart += length;
    run = null;
  }

  private void flushL2() throws IOException {
    if (currentL1Index < 0 || !l2Used) {
      currentL1Index = -1;
      return;
    }
    writePendingRefcountBlocks();
    ByteBuffer table = ByteBuffer.allocate(clusterSize);
    table.asLongBuffer().put(l2);
    long offset = appendCluster(table.array());
    ByteBuffer l1Entry = ByteBuffer.allocate(8).putLong(0, offset | FLAG_COPIED);
    writeFully(l1Entry, l1Offset + currentL1Index * 8);
    Arrays.fill(l2, 0);
    l2Used = false;
    currentL1Index = -1;
  }

  /** Appends a whole cluster at the next cluster boundary; returns its offset. */
  private long appendCluster(byte[] content) throws IOException {
    return appendCluster(ByteBuffer.wrap(content));
  }

  /** Appends the remaining bytes of {@code content}, a whole cluster; the position is not moved. */
  private long appendCluster(ByteBuffer content) throws IOException {
    flushRun();
    closeOpenCluster();
    long offset = nextCluster * clusterSize;
    emit(nextCluster, 1);
    ByteBuffer source = content.duplicate();
    while (source.hasRemaining()) {
      if (!out.hasRemaining()) {
        flushOutput();
      }
      int count = Math.min(out.remaining(), source.remaining());
      out.put(out.position(), source, source.position(), count);
      out.position(out.position() + count);
      source.position(source.position() + count);
    }
    return offset;
  }

  /** Appends compressed data at a 512-byte boundary; returns its L2 entry. */
  private long appendCompressed(byte[] deflated) throws IOException {
    long pointer = pointer();
    long start = (pointer + 511) & ~511L;
    appendZeros((int) (start - pointer));
    long sectors = (deflated.length + 511) / 512;
    long end = start + sectors * 512;
    for (long cluster = start >>> clusterBits; cluster <= (end - 1) >>> clusterBits; cluster++) {
      if (cluster == openCluster) {
        openCount++;
      } else {
        if (openCluster >= 0) {
          emit(openCluster, openCount); // the data runs on into the next cluster: no padding
        }
        openCluster = cluster;
        openCount = 1;
      }
    }
    append(deflated, 0, deflated.length);
    appendZeros((int) (end - start - deflated.length));
    int shift = 62 - (clusterBits - 8);
    return FLAG_COMPRESSED | ((sectors - 1) << shift) | start;
  }

  /** Emits the refcount of a cluster partly filled with compressed data and pads it. */
  private void closeOpenCluster() throws IOException {
    if (openCluster < 0) {
      return;
    }
    emit(openCluster, openCount);
    openCluster = -1;
    appendZeros((int) (nextCluster * clusterSize - pointer()));
  }

  /** Records the refcount of the next cluster of the file; clusters are emitted in order. */
  private void emit(long cluster, int count) {
    if (cluster != nextCluster) {
      throw new IllegalStateException("refcount of cluster " + cluster + " out of order");
    }
    refcountBlock.putShort((int) (cluster % refcountEntries) * 2, (short) count);
    nextCluster++;
    if (nextCluster % refcountEntries == 0) {
      completedBlocks.add(new PendingBlock(cluster / refcountEntries, refcountBlock));
      refcountBlock = ByteBuffer.allocate(clusterSize);
    }
  }

  private void writePendingRefcountBlocks() throws IOException {
    while (!completedBlocks.isEmpty()) {
      PendingBlock block = completedBlocks.poll();
      long offset = appendCluster(block.content().array());
      setRefcountTableEntry(block.index(), offset);
    }
  }

  private void setRefcountTableEntry(long index, long offset) {
    if (index >= refcountTable.length) {
      refcountTable = Arrays.copyOf(refcountTable, (int) Math.max(index + 1, refcountTable.length * 2L));
    }
    refcountTable[(int) index] = offset;
  }

  @Override
  public void finish() throws IOException {
    if (finished) {
      return;
    }
    flushClusterBuffer();
    while (!jobs.isEmpty()) {
      drainOne();
    }
    flushL2();
    writePendingRefcountBlocks();
    closeOpenCluster();
    // The refcount table and the last refcount blocks: find sizes that cover themselves.
    long clustersSoFar = nextCluster;
    long firstUnwrittenBlock = clustersSoFar / refcountEntries;
    long tableClusters = 1;
    long blocks = 0;
    while (true) {
      long total = clustersSoFar + tableClusters + blocks;
      long blockCount = Qcow2Header.ceilDivide(total, refcountEntries);
      long newBlocks = blockCount - firstUnwrittenBlock;
      long newTableClusters = Math.max(1, Qcow2Header.ceilDivide(blockCount * 8, clusterSize));
      if (newBlocks == blocks && newTableClusters == tableClusters) {
        break;
      }
      blocks = newBlocks;
      tableClusters = newTableClusters;
    }
    long tableOffset = clustersSoFar * clusterSize;
    for (long i = 0; i < tableClusters + blocks; i++) {
      emit(nextCluster, 1);
    }
    if (nextCluster % refcountEntries != 0) {
      completedBlocks.add(new PendingBlock(nextCluster / refcountEntries, refcountBlock));
    }
    long blockOffset = tableOffset + tableClusters * clusterSize;
    for (PendingBlock block : completedBlocks) {
      setRefcountTableEntry(block.index(), blockOffset);
      blockOffset += clusterSize;
    }
    ByteBuffer table = ByteBuffer.allocate((int) (tableClusters * clusterSize));
    long blockCount = firstUnwrittenBlock + blocks;
    for (int i = 0; i < blockCount; i++) {
      table.putLong(i * 8, refcountTable[i]);
    }
    append(table.array(), 0, table.capacity());
    for (PendingBlock block : completedBlocks) {
      append(block.content().array(), 0, clusterSize);
    }
    completedBlocks.clear();
    flushOutput();
    writeFully(header(tableOffset, (int) tableClusters), 0);
    if (compressors != null) {
      compressors.shutdown();
    }
    file.commit();
    finished = true;
  }

  private ByteBuffer header(long refcountTableOffset, int refcountTableClusters) {
    ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH + 8);
    header.putInt(0, Qcow2Header.MAGIC);
    header.putInt(4, 3);
    header.putInt(20, clusterBits);
    header.putLong(24, virtualSize);
    header.putInt(36, l1Entries);
    header.putLong(40, l1Entries == 0 ? 0 : l1Offset);
    header.putLong(48, refcountTableOffset);
    header.putInt(56, refcountTableClusters);
    header.putInt(96, REFCOUNT_ORDER);
    header.putInt(100, HEADER_LENGTH);
    // 104: compression type 0 (deflate); 112: end of header extensions.
    return header;
  }

  private long pointer() {
    return outStart + out.position() + (run == null ? 0 : runEnd - runStart);
  }

  private void append(byte[] bytes, int offset, int length) throws IOException {
    flushRun();
    int position = offset;
    int end = offset + length;
    while (position < end) {
      if (!out.hasRemaining()) {
        flushOutput();
      }
      int count = Math.min(out.remaining(), end - position);
      out.put(bytes, position, count);
      position += count;
    }
  }

  private void appendZeros(int length) throws IOException {
    flushRun();
    int remaining = length;
    while (remaining > 0) {
      if (!out.hasRemaining()) {
        flushOutput();
      }
      int count = Math.min(out.remaining(), remaining);
      Zeros.fill(out, count);
      remaining -= count;
    }
  }

  private void flushOutput() throws IOException {
    out.flip();
    int length = out.remaining();
    writeFully(out, outStart);
    outStart += length;
    out.clear();
  }

  private void writeFully(ByteBuffer buffer, long position) throws IOException {
    FileWrites.writeFully(channel, buffer, position);
  }

  @Override
  public void close() throws IOException {
    if (compressors != null) {
      compressors.shutdownNow();
    }
    file.close();
  }
}
