package io.ferry.standardization.image.qcow2;

import static io.ferry.standardization.image.qcow2.Qcow2Header.corrupt;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.Extent;
import io.ferry.standardization.image.ExtentType;
import io.ferry.standardization.image.internal.Zeros;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads qcow2 v2 and v3 images: L2 tables are read on demand into a bounded cache, zero clusters
 * read as zeros, compressed clusters are inflated (deflate or zstd), and with extended L2 entries
 * each of a cluster's 32 subclusters is allocated, zero or unallocated on its own. Every table and cluster
 * offset is checked against the file before it is used.
 */
final class Qcow2ImageReader implements DiskImageReader {

  static final long L1_OFFSET_MASK = 0x00fffffffffffe00L;
  static final long L1_RESERVED_MASK = 0x7f000000000001ffL;
  static final long L2_STANDARD_OFFSET_MASK = 0x00fffffffffffe00L;
  static final long L2_STANDARD_RESERVED_MASK = 0x3f000000000001feL;
  static final long FLAG_COPIED = 1L << 63;
  static final long FLAG_COMPRESSED = 1L << 62;
  static final long FLAG_ZERO = 1L;
  private static final long CACHE_BYTES = 8L << 20;

  private final FileChannel channel;
  /** Where the image starts in the channel: 0, or its offset inside an OVA's tar. */
  private final long base;
  /** Whether {@link #close} closes the channel (not when the image is a window of a caller's file). */
  private final boolean ownsChannel;
  private final long fileSize;
  private final Qcow2Header header;
  private final long[] l1;
  private final Map<Integer, long[]> l2Cache;
  private final int l2CacheCapacity;
  private final ThreadLocal<Inflater> inflaters = ThreadLocal.withInitial(() -> new Inflater(true));
  /** One zstd context per reading thread, all closed with the reader. */
  private final List<ZstdDecompressCtx> openContexts = new ArrayList<>();
  private final ThreadLocal<ZstdDecompressCtx> zstdContexts =
      ThreadLocal.withInitial(
          () -> {
            ZstdDecompressCtx context = new ZstdDecompressCtx();
            synchronized (openContexts) {
              openContexts.add(context);
            }
            return context;
          });

  private Qcow2ImageReader(
      FileChannel channel, long base, boolean ownsChannel, long fileSize, Qcow2Header header, long[] l1) {
    this.channel = channel;
    this.base = base;
    this.ownsChannel = ownsChannel;
    this.fileSize = fileSize;
    this.header = header;
    this.l1 = l1;
    this.l2CacheCapacity = (int) Math.max(4, CACHE_BYTES / header.clusterSize());
    this.l2Cache = new LinkedHashMap<>(16, 0.75f, true);
  }

  static Qcow2ImageReader open(Path path) throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      return open(channel, 0, channel.size(), true);
    } catch (RuntimeException | IOException e) {
      channel.close();
      throw e;
    }
  }

  /**
   * Opens the qcow2 image stored at {@code [base, base + length)} of {@code channel}; offsets in
   * errors are within the image. The channel is closed on close only when {@code ownsChannel}.
   */
  static Qcow2ImageReader open(FileChannel channel, long base, long length, boolean ownsChannel)
      throws IOException {
    ByteBuffer first = readAt(channel, base, 0, (int) Math.min(length, 1 << 21));
    Qcow2Header header = Qcow2Header.parse(first, length);
    Qcow2Header.checkExtensions(first, header);
    long[] l1 = readL1(channel, base, header);
    return new Qcow2ImageReader(channel, base, ownsChannel, length, header, l1);
  }

  private static long[] readL1(FileChannel channel, long base, Qcow2Header header) throws IOException {
    int entries = (int) Qcow2Header.ceilDivide(header.virtualSize(), header.bytesPerL1Entry());
    long[] l1 = new long[entries];
    ByteBuffer buffer = readAt(channel, base, header.l1TableOffset(), entries * 8);
    for (int i = 0; i < entries; i++) {
      long entry = buffer.getLong(i * 8);
      if ((entry & L1_RESERVED_MASK) != 0) {
        throw corrupt(
            "L1 entry " + i,
            header.l1TableOffset() + i * 8L,
            "reserved bits are set: 0x" + Long.toHexString(entry));
      }
      l1[i] = entry & L1_OFFSET_MASK;
    }
    return l1;
  }

  @Override
  public DiskFormat format() {
    return DiskFormat.QCOW2;
  }

  @Override
  public long virtualSize() {
    return header.virtualSize();
  }

  /** The qcow2 version (2 or 3). */
  int version() {
    return header.version();
  }

  @Override
  public Iterator<Extent> extents() {
    return new ExtentIterator();
  }

  @Override
  public void read(long offset, ByteBuffer destination) throws IOException {
    long virtualSize = header.virtualSize();
    if (offset < 0 || offset > virtualSize - destination.remaining()) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST,
          "read of " + destination.remaining() + " bytes at offset " + offset
              + " is outside the disk of " + virtualSize + " bytes");
    }
    int clusterSize = header.clusterSize();
    int unitBits = header.unitBits();
    int unitSize = 1 << unitBits;
    long position = offset;
    while (destination.hasRemaining()) {
      long unit = position >>> unitBits;
      long entry = l2Entry(unit);
      if ((entry & FLAG_COMPRESSED) != 0) {
        // a compressed cluster has no subclusters: the rest of it in one step
        int inCluster = (int) (position & (clusterSize - 1));
        int length = (int) Math.min(destination.remaining(), clusterSize - inCluster);
        byte[] data = decompress(entry, position >>> header.clusterBits());
        destination.put(data, inCluster, length);
        position += length;
        continue;
      }
      int inUnit = (int) (position & (unitSize - 1));
      int length = (int) Math.min(destination.remaining(), unitSize - inUnit);
      if (classify(entry, unit) != ExtentType.DATA) {
        fillZeros(destination, length);
      } else {
        long hostOffset = entry & L2_STANDARD_OFFSET_MASK;
        // Coalesce following clusters (or subclusters) stored right after this one into one read.
        long first = unit;
        while (length < destination.remaining()) {
          long nextUnit = unit + 1;
          long nextEntry = l2Entry(nextUnit);
          if ((nextEntry & FLAG_COMPRESSED) != 0
              || classify(nextEntry, nextUnit) != ExtentType.DATA
              || (nextEntry & L2_STANDARD_OFFSET_MASK) != hostOffset + ((nextUnit - first) << unitBits)) {
            break;
          }
          unit = nextUnit;
          length += (int) Math.min(destination.remaining() - length, unitSize);
        }
        readData(hostOffset + inUnit, destination, length, position);
      }
      position += length;
    }
  }

  private void readData(long hostOffset, ByteBuffer destination, int length, long virtualOffset)
      throws IOException {
    if (hostOffset > fileSize - length) {
      throw corrupt(
          "data cluster",
          hostOffset,
          "(virtual offset " + virtualOffset + ") runs past the end of the file (" + fileSize + " bytes)");
    }
    ByteBuffer slice = destination.duplicate();
    slice.limit(slice.position() + length);
    long position = hostOffset;
    while (slice.hasRemaining()) {
      int read = channel.read(slice, base + position);
      if (read < 0) {
        throw corrupt("data cluster", hostOffset, "file ended while reading");
      }
      position += read;
    }
    destination.position(destination.position() + length);
  }

  private static void fillZeros(ByteBuffer destination, int length) {
    Zeros.fill(destination, length);
  }

  /**
   * The L2 entry of a virtual unit (cluster, or subcluster with extended L2 entries; 0 when its L2
   * table is unallocated). With extended L2 entries a subcluster's entry is made from its
   * cluster's entry and bitmap in the standard form: a compressed cluster's entry as it is, an
   * allocated subcluster's host offset, {@link #FLAG_ZERO} for one that reads as zeros, else 0.
   */
  private long l2Entry(long unit) throws IOException {
    int subclusterBits = header.clusterBits() - header.unitBits();
    long cluster = unit >>> subclusterBits;
    int l2Entries = header.l2Entries();
    int l1Index = (int) (cluster / l2Entries);
    if (l1Index >= l1.length || l1[l1Index] == 0) {
      return 0;
    }
    long[] table = l2Table(l1Index);
    int index = (int) (cluster % l2Entries);
    if (subclusterBits == 0) {
      return table[index];
    }
    long entry = table[2 * index];
    if ((entry & FLAG_COMPRESSED) != 0) {
      return entry;
    }
    long bitmap = table[2 * index + 1];
    int subcluster = (int) (unit & ((1 << subclusterBits) - 1));
    if ((bitmap >>> subcluster & 1) != 0) {
      return (entry & L2_STANDARD_OFFSET_MASK) + ((long) subcluster << header.unitBits());
    }
    return (bitmap >>> (32 + subcluster) & 1) != 0 ? FLAG_ZERO : 0;
  }

  private long[] l2Table(int l1Index) throws IOException {
    synchronized (l2Cache) {
      long[] table = l2Cache.get(l1Index);
      if (table != null) {
        return table;
      }
    }
    long[] table = loadL2(l1Index);
    synchronized (l2Cache) {
      l2Cache.put(l1Index, table);
      if (l2Cache.size() > l2CacheCapacity) {
        Iterator<Integer> eldest = l2Cache.keySet().iterator();
        eldest.next();
        eldest.remove();
      }
    }
    return table;
  }

  private long[] loadL2(int l1Index) throws IOException {
    long offset = l1[l1Index];
    int clusterSize = header.clusterSize();
    String structure = "L2 table of L1 entry " + l1Index;
    if (offset % clusterSize != 0 || offset < clusterSize) {
      throw corrupt(structure, offset, "is not cluster aligned or lies in the header cluster");
    }
    if (offset > fileSize - clusterSize) {
      throw corrupt(structure, offset, "runs past the end of the file (" + fileSize + " bytes)");
    }
    checkNotMetadata(structure, offset, clusterSize);
    ByteBuffer buffer = readAt(channel, base, offset, clusterSize);
    long[] table = new long[clusterSize / 8];
    buffer.asLongBuffer().get(table);
    boolean extended = header.extendedL2();
    int stride = extended ? 2 : 1;
    for (int i = 0; i < table.length; i += stride) {
      long entry = table[i];
      long bitmap = extended ? table[i + 1] : 0;
      if (entry == 0 && bitmap == 0) {
        continue;
      }
      long entryOffset = offset + i * 8L;
      if (extended) {
        checkBitmap(entry, bitmap, entryOffset);
      }
      if ((entry & FLAG_COMPRESSED) != 0) {
        long hostOffset = compressedOffset(entry);
        if (hostOffset < clusterSize || hostOffset >= fileSize) {
          throw corrupt(
              "compressed cluster of L2 entry at " + entryOffset,
              hostOffset,
              "lies in the header or past the end of the file");
        }
        continue;
      }
      if ((entry & L2_STANDARD_RESERVED_MASK) != 0) {
        throw corrupt("L2 entry", entryOffset, "reserved bits are set: 0x" + Long.toHexString(entry));
      }
      if ((entry & FLAG_ZERO) != 0 && header.version() < 3) {
        throw corrupt("L2 entry", entryOffset, "zero flag in a version 2 image");
      }
      long hostOffset = entry & L2_STANDARD_OFFSET_MASK;
      if (hostOffset != 0) {
        if (hostOffset % clusterSize != 0 || hostOffset < clusterSize) {
          throw corrupt(
              "data cluster of L2 entry at " + entryOffset,
              hostOffset,
              "is not cluster aligned or lies in the header cluster");
        }
        if (hostOffset == offset) {
          throw corrupt(
              "data cluster of L2 entry at " + entryOffset, hostOffset, "is its own L2 table (cycle)");
        }
        if (extended ? (bitmap & 0xffffffffL) != 0 : (entry & FLAG_ZERO) == 0) {
          checkNotMetadata("data cluster of L2 entry at " + entryOffset, hostOffset, clusterSize);
        }
      }
    }
    return table;
  }

  /**
   * Checks the subcluster bitmap of an extended L2 entry (at {@code entryOffset + 8}): none for a
   * compressed cluster; no subcluster both allocated and zero; no allocated subcluster without a
   * host cluster.
   */
  private static void checkBitmap(long entry, long bitmap, long entryOffset) {
    long allocated = bitmap & 0xffffffffL;
    if ((entry & FLAG_COMPRESSED) != 0) {
      if (bitmap != 0) {
        throw corrupt("subcluster bitmap of a compressed cluster", entryOffset + 8,
            "is not empty: 0x" + Long.toHexString(bitmap));
      }
    } else if ((allocated & bitmap >>> 32) != 0) {
      throw corrupt("subcluster bitmap", entryOffset + 8,
          "marks subclusters both allocated and zero: 0x" + Long.toHexString(bitmap));
    } else if (allocated != 0 && (entry & L2_STANDARD_OFFSET_MASK) == 0) {
      throw corrupt("subcluster bitmap", entryOffset + 8,
          "marks subclusters allocated in an entry without a host cluster: 0x" + Long.toHexString(bitmap));
    }
  }

  private void checkNotMetadata(String structure, long offset, long length) {
    if (header.l1Size() > 0
        && Qcow2Header.overlaps(offset, length, header.l1TableOffset(), header.l1Size() * 8L)) {
      throw corrupt(structure, offset, "overlaps the L1 table at offset " + header.l1TableOffset());
    }
    if (header.refcountTableClusters() > 0
        && Qcow2Header.overlaps(
            offset,
            length,
            header.refcountTableOffset(),
            (long) header.refcountTableClusters() * header.clusterSize())) {
      throw corrupt(
          structure, offset, "overlaps the refcount table at offset " + header.refcountTableOffset());
    }
  }

  /** What a unit (cluster or subcluster) with the standard-form {@code entry} holds. */
  private ExtentType classify(long entry, long unit) {
    if (unit >= totalUnits()) {
      return ExtentType.UNALLOCATED;
    }
    if ((entry & FLAG_COMPRESSED) != 0) {
      return ExtentType.DATA;
    }
    if ((entry & FLAG_ZERO) != 0) {
      return ExtentType.ZERO;
    }
    return (entry & L2_STANDARD_OFFSET_MASK) == 0 ? ExtentType.UNALLOCATED : ExtentType.DATA;
  }

  private long totalUnits() {
    return Qcow2Header.ceilDivide(header.virtualSize(), 1L << header.unitBits());
  }

  /** Units (clusters or subclusters) mapped by one L2 table. */
  private long unitsPerL2() {
    return (long) header.l2Entries() << (header.clusterBits() - header.unitBits());
  }

  private int compressedShift() {
    return 62 - (header.clusterBits() - 8);
  }

  private long compressedOffset(long entry) {
    return entry & ((1L << compressedShift()) - 1);
  }

  private byte[] decompress(long entry, long cluster) throws IOException {
    int shift = compressedShift();
    long hostOffset = compressedOffset(entry);
    long sectors = ((entry >>> shift) & ((1L << (header.clusterBits() - 8)) - 1)) + 1;
    long compressedSize = sectors * 512 - (hostOffset & 511);
    int length = (int) Math.min(compressedSize, fileSize - hostOffset);
    ByteBuffer compressed = readAt(channel, base, hostOffset, length);
    byte[] input = compressed.array();
    byte[] output = new byte[header.clusterSize()];
    String structure = "compressed cluster (virtual offset " + (cluster << header.clusterBits()) + ")";
    if (header.compressionType() == Qcow2Header.COMPRESSION_ZSTD) {
      ZstdDecompressCtx context = zstdContexts.get();
      context.reset();
      ByteBuffer source = ByteBuffer.wrap(input, 0, length);
      ByteBuffer target = ByteBuffer.wrap(output);
      try {
        // Streaming, so that padding after the frame is ignored; stops when the cluster is full.
        while (target.hasRemaining()) {
          int before = source.remaining() + target.remaining();
          boolean frameDone = context.decompressByteBufferStream(target, source);
          if (frameDone || source.remaining() + target.remaining() == before) {
            break;
          }
        }
      } catch (ZstdException e) {
        throw new FerryException(
            ErrorCode.IMAGE_CORRUPT,
            "qcow2 " + structure + " at offset " + hostOffset + ": bad zstd data: " + e.getMessage(),
            e);
      }
      if (target.hasRemaining()) {
        throw corrupt(structure, hostOffset, "zstd data ends after " + target.position() + " bytes");
      }
      return output;
    }
    Inflater inflater = inflaters.get();
    inflater.reset();
    inflater.setInput(input, 0, length);
    try {
      int produced = 0;
      while (produced < output.length) {
        int count = inflater.inflate(output, produced, output.length - produced);
        if (count == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
          break;
        }
        produced += count;
      }
      if (produced != output.length) {
        throw corrupt(structure, hostOffset, "deflate data ends after " + produced + " bytes");
      }
    } catch (DataFormatException e) {
      throw corrupt(structure, hostOffset, "bad deflate data: " + e.getMessage());
    }
    return output;
  }

  /** Reads {@code length} bytes at {@code offset} of the image that starts at {@code base}. */
  static ByteBuffer readAt(FileChannel channel, long base, long offset, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, base + offset + buffer.position()) < 0) {
        throw corrupt("file", offset + buffer.position(), "ends early (expected " + length + " bytes at " + offset + ")");
      }
    }
    buffer.flip();
    return buffer;
  }

  @Override
  public void close() throws IOException {
    synchronized (openContexts) {
      openContexts.forEach(ZstdDecompressCtx::close);
      openContexts.clear();
    }
    if (ownsChannel) {
      channel.close();
    }
  }

  /** Walks the L1 and L2 tables lazily, merging clusters (or subclusters) of the same type. */
  private final class ExtentIterator implements Iterator<Extent> {
    private long unit;
    private final long units = totalUnits();

    @Override
    public boolean hasNext() {
      return unit < units;
    }

    @Override
    public Extent next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      try {
        long start = unit;
        ExtentType type = typeOf(unit);
        unit = skip(unit);
        while (unit < units && typeOf(unit) == type) {
          unit = skip(unit);
        }
        long startByte = start << header.unitBits();
        long endByte = Math.min(unit << header.unitBits(), header.virtualSize());
        return new Extent(startByte, endByte - startByte, type);
      } catch (IOException e) {
        throw new FerryException(ErrorCode.IO_ERROR, "reading qcow2 tables: " + e.getMessage(), e);
      }
    }

    private ExtentType typeOf(long index) throws IOException {
      if (l1[(int) (index / unitsPerL2())] == 0) {
        return ExtentType.UNALLOCATED;
      }
      return classify(l2Entry(index), index);
    }

    /** The next unit to look at: the next L1 range when this one is unallocated. */
    private long skip(long index) {
      long l1Index = index / unitsPerL2();
      if (l1[(int) l1Index] == 0) {
        return Math.min(units, (l1Index + 1) * unitsPerL2());
      }
      return index + 1;
    }
  }
}
