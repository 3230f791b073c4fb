package io.ferry.standardization.image.vmdk;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.Extent;
import io.ferry.standardization.image.ExtentType;
import io.ferry.standardization.image.internal.FileWindow;
import io.ferry.standardization.image.internal.LeastRecentlyUsedCache;
import io.ferry.standardization.image.internal.MergingExtentIterator;
import io.ferry.standardization.image.internal.ReadRanges;
import io.ferry.standardization.image.internal.Zeros;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads a hosted sparse extent: monolithicSparse (plain grains) and streamOptimized (deflate
 * compressed grains behind grain markers, the grain directory possibly only in the footer). The
 * grain directory is held in memory (4 bytes per 32 MiB of disk); grain tables and decompressed
 * grains are cached in small bounded caches.
 */
final class VmdkSparseReader implements DiskImageReader {

  private static final long MAX_GRAIN_TABLES = 1 << 22;
  private static final int MARKER_SIZE = 512;
  private static final int GRAIN_MARKER_HEADER = 12;
  static final int MARKER_EOS = 0;
  static final int MARKER_GRAIN_TABLE = 1;
  static final int MARKER_GRAIN_DIRECTORY = 2;
  static final int MARKER_FOOTER = 3;

  private final FileWindow source;
  private final Closeable owner;
  private final SparseExtentHeader header;
  private final DiskFormat format;
  private final long virtualSize;
  private final int grainBytes;
  private final int[] grainDirectory;
  private final long grainDirectoryOffset;
  private final long[] sortedTableOffsets;
  private final long metadataEnd;
  /** One inflater per thread and kind, reused: creating zlib state per grain is costly. */
  private static final ThreadLocal<Inflater> ZLIB_INFLATERS =
      ThreadLocal.withInitial(() -> new Inflater(false));
  private static final ThreadLocal<Inflater> RAW_INFLATERS =
      ThreadLocal.withInitial(() -> new Inflater(true));

  private final Map<Integer, int[]> tableCache = LeastRecentlyUsedCache.create(64);
  private final Map<Long, byte[]> grainCache = LeastRecentlyUsedCache.create(8);

  private VmdkSparseReader(
      FileWindow source,
      Closeable owner,
      SparseExtentHeader header,
      DiskFormat format,
      int[] grainDirectory,
      long grainDirectoryOffset,
      long[] sortedTableOffsets,
      long metadataEnd) {
    this.source = source;
    this.owner = owner;
    this.header = header;
    this.format = format;
    this.virtualSize = header.capacity() * 512;
    this.grainBytes = (int) header.grainBytes();
    this.grainDirectory = grainDirectory;
    this.grainDirectoryOffset = grainDirectoryOffset;
    this.sortedTableOffsets = sortedTableOffsets;
    this.metadataEnd = metadataEnd;
  }

  /** Opens the sparse extent in {@code source}; {@code owner} (may be null) is closed on close. */
  static VmdkSparseReader open(FileWindow source, Closeable owner) throws IOException {
    if (source.length() < SparseExtentHeader.SIZE) {
      throw VmdkImages.corrupt("file of " + source.length() + " bytes is too small for a header");
    }
    SparseExtentHeader header =
        SparseExtentHeader.parse(source.read("sparse extent header", 0, SparseExtentHeader.SIZE), 0);
    if (header.descriptorOffset() > source.length() / 512) {
      throw VmdkImages.corrupt(
          "sparse extent header at offset 0 puts the embedded descriptor at sector "
              + header.descriptorOffset() + ", past the end of the file");
    }
    String descriptor = embeddedDescriptor(source, header);
    if (descriptor.contains("parentFileNameHint")) {
      throw VmdkImages.unsupported(
          "the embedded descriptor names a parent disk (parentFileNameHint): delta disks of a"
              + " snapshot chain are not supported; consolidate the snapshots first");
    }
    if (header.grainDirectoryOffset() == SparseExtentHeader.GD_AT_END) {
      header = footer(source, header);
    }
    boolean stream = header.compressed() || descriptor.contains("streamOptimized");
    long tableCount = header.grainTableCount();
    if (tableCount > MAX_GRAIN_TABLES) {
      throw VmdkImages.corrupt("sparse extent header needs " + tableCount + " grain tables");
    }
    long directoryOffset = header.grainDirectoryOffset() * 512;
    long directoryBytes = tableCount * 4;
    if (header.grainDirectoryOffset() < 1 || header.grainDirectoryOffset() > source.length() / 512) {
      throw VmdkImages.corrupt(
          "grain directory offset " + header.grainDirectoryOffset() + " (sectors) lies outside"
              + " the file of " + source.length() + " bytes");
    }
    ByteBuffer directoryBuffer =
        source.read("grain directory", directoryOffset, (int) directoryBytes)
            .order(ByteOrder.LITTLE_ENDIAN);
    int[] directory = new int[(int) tableCount];
    for (int index = 0; index < directory.length; index++) {
      directory[index] = directoryBuffer.getInt(index * 4);
    }
    long tableBytes = header.gtesPerGrainTable() * 4L;
    long directoryEnd = directoryOffset + roundUp(directoryBytes, 512);
    long descriptorStart = header.descriptorOffset() * 512;
    long descriptorEnd = descriptorStart + header.descriptorSize() * 512;
    long[] offsets = new long[directory.length];
    int count = 0;
    for (int index = 0; index < directory.length; index++) {
      long sector = Integer.toUnsignedLong(directory[index]);
      if (sector == 0) {
        if (!stream) {
          throw VmdkImages.corrupt(
              "grain directory entry " + index + " (at offset " + (directoryOffset + 4L * index)
                  + ") of a monolithicSparse extent is empty");
        }
        continue;
      }
      long start = sector * 512;
      String where =
          "grain directory entry " + index + " (at offset " + (directoryOffset + 4L * index)
              + ") points to a grain table at offset " + start;
      if (start + tableBytes > source.length()) {
        throw VmdkImages.corrupt(where + " past the end of the file (" + source.length() + ")");
      }
      if (start < SparseExtentHeader.SIZE
          || overlaps(start, start + tableBytes, directoryOffset, directoryEnd)
          || overlaps(start, start + tableBytes, descriptorStart, descriptorEnd)) {
        throw VmdkImages.corrupt(where + " overlapping the header, descriptor or grain directory");
      }
      offsets[count++] = start;
    }
    long[] sorted = Arrays.copyOf(offsets, count);
    Arrays.sort(sorted);
    for (int index = 1; index < sorted.length; index++) {
      if (sorted[index] - sorted[index - 1] < tableBytes) {
        throw VmdkImages.corrupt(
            "grain directory at offset " + directoryOffset + " has overlapping grain tables at"
                + " offsets " + sorted[index - 1] + " and " + sorted[index]);
      }
    }
    long metadataEnd = Math.max(SparseExtentHeader.SIZE, descriptorEnd);
    DiskFormat format = stream ? DiskFormat.VMDK_STREAM_OPTIMIZED : DiskFormat.VMDK_MONOLITHIC_SPARSE;
    return new VmdkSparseReader(
        source, owner, header, format, directory, directoryOffset, sorted, metadataEnd);
  }

  private static boolean overlaps(long start, long end, long otherStart, long otherEnd) {
    return start < otherEnd && otherStart < end;
  }

  private static long roundUp(long value, long multiple) {
    return (value + multiple - 1) / multiple * multiple;
  }

  private static String embeddedDescriptor(FileWindow source, SparseExtentHeader header)
      throws IOException {
    if (header.descriptorOffset() == 0 || header.descriptorSize() == 0) {
      return "";
    }
    ByteBuffer bytes =
        source.read(
            "embedded descriptor",
            header.descriptorOffset() * 512,
            (int) (header.descriptorSize() * 512));
    int end = 0;
    while (end < bytes.limit() && bytes.get(end) != 0) {
      end++;
    }
    return new String(bytes.array(), 0, end, StandardCharsets.ISO_8859_1);
  }

  /** Reads the footer of a stream whose header says the grain directory is at the end. */
  private static SparseExtentHeader footer(FileWindow source, SparseExtentHeader header)
      throws IOException {
    long footerOffset = source.length() - 2L * MARKER_SIZE;
    long markerOffset = footerOffset - MARKER_SIZE;
    if (markerOffset < SparseExtentHeader.SIZE) {
      throw VmdkImages.corrupt(
          "header says the grain directory is at the end, but the file of " + source.length()
              + " bytes has no room for a footer");
    }
    ByteBuffer marker =
        source.read("footer marker", markerOffset, MARKER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    if (marker.getInt(8) != 0 || marker.getInt(12) != MARKER_FOOTER) {
      throw VmdkImages.corrupt(
          "no footer marker at offset " + markerOffset + " (the file may be truncated: a stream"
              + " ends with a footer marker, the footer and an end-of-stream marker)");
    }
    ByteBuffer footerBytes = source.read("footer", footerOffset, SparseExtentHeader.SIZE);
    if (!SparseExtentHeader.hasMagic(footerBytes)) {
      throw VmdkImages.corrupt("footer at offset " + footerOffset + " lacks the magic 'KDMV'");
    }
    SparseExtentHeader footer = SparseExtentHeader.parse(footerBytes, footerOffset);
    if (footer.grainDirectoryOffset() == SparseExtentHeader.GD_AT_END
        || footer.capacity() != header.capacity()
        || footer.grainSize() != header.grainSize()
        || footer.gtesPerGrainTable() != header.gtesPerGrainTable()) {
      throw VmdkImages.corrupt("footer at offset " + footerOffset + " does not match the header");
    }
    return footer;
  }

  @Override
  public DiskFormat format() {
    return format;
  }

  @Override
  public long virtualSize() {
    return virtualSize;
  }

  /** The grain table entry of grain {@code grain}: 0 unallocated, 1 zero, else a sector. */
  private long entry(long grain) throws IOException {
    int tableIndex = (int) (grain / header.gtesPerGrainTable());
    int withinTable = (int) (grain % header.gtesPerGrainTable());
    if (grainDirectory[tableIndex] == 0) {
      return 0;
    }
    return Integer.toUnsignedLong(table(tableIndex)[withinTable]);
  }

  private int[] table(int tableIndex) throws IOException {
    synchronized (tableCache) {
      int[] cached = tableCache.get(tableIndex);
      if (cached != null) {
        return cached;
      }
    }
    long offset = Integer.toUnsignedLong(grainDirectory[tableIndex]) * 512;
    ByteBuffer bytes =
        source.read("grain table " + tableIndex, offset, header.gtesPerGrainTable() * 4)
            .order(ByteOrder.LITTLE_ENDIAN);
    int[] table = new int[header.gtesPerGrainTable()];
    for (int index = 0; index < table.length; index++) {
      table[index] = bytes.getInt(index * 4);
    }
    synchronized (tableCache) {
      tableCache.put(tableIndex, table);
    }
    return table;
  }

  /**
   * Whether a grain table entry marks a zeroed grain: entry 1 when the header's zero-grain flag is
   * set (without the flag, 1 would be sector 1, the metadata, and is refused as corrupt).
   */
  private boolean isZeroGrain(long entry) {
    return entry == 1 && (header.flags() & SparseExtentHeader.FLAG_ZERO_GRAIN) != 0;
  }

  /** Checks that grain data at {@code start} does not sit on metadata. */
  private void checkGrainPlacement(long grain, long start, long length) {
    if (start + length > source.length()) {
      throw VmdkImages.corrupt(
          grainWhere(grain, start) + " past the end of the file (" + source.length() + ")");
    }
    long tableBytes = header.gtesPerGrainTable() * 4L;
    long directoryEnd = grainDirectoryOffset + roundUp(grainDirectory.length * 4L, 512);
    boolean onTable = false;
    int found = Arrays.binarySearch(sortedTableOffsets, start);
    int candidate = found >= 0 ? found : -found - 2;
    if (candidate >= 0 && sortedTableOffsets[candidate] + tableBytes > start) {
      onTable = true;
    }
    if (candidate + 1 < sortedTableOffsets.length
        && sortedTableOffsets[candidate + 1] < start + length) {
      onTable = true;
    }
    if (start < metadataEnd
        || overlaps(start, start + length, grainDirectoryOffset, directoryEnd)
        || onTable) {
      throw VmdkImages.corrupt(
          grainWhere(grain, start) + " overlapping the header, descriptor or tables");
    }
  }

  /** Names the grain table entry of {@code grain} for messages (built only on failure). */
  private String grainWhere(long grain, long start) {
    long tableIndex = grain / header.gtesPerGrainTable();
    return "grain table " + tableIndex + " (at offset "
        + Integer.toUnsignedLong(grainDirectory[(int) tableIndex]) * 512 + ") entry "
        + grain % header.gtesPerGrainTable() + " points to grain data at offset " + start;
  }

  @Override
  public void read(long offset, ByteBuffer destination) throws IOException {
    ReadRanges.check("VMDK", offset, destination.remaining(), virtualSize);
    long position = offset;
    while (destination.hasRemaining()) {
      long grain = position / grainBytes;
      int inGrain = (int) (position % grainBytes);
      int length = Math.min(destination.remaining(), grainBytes - inGrain);
      ByteBuffer part = destination.slice(destination.position(), length);
      long entry = entry(grain);
      if (entry == 0 || isZeroGrain(entry)) {
        if (part.hasArray()) {
          Arrays.fill(part.array(), part.arrayOffset(), part.arrayOffset() + length, (byte) 0);
        } else {
          zero(part);
        }
      } else if (header.compressed()) {
        if (length == grainBytes) {
          // a whole grain (the converter reads aligned blocks): inflated straight into place
          inflateGrain(grain, entry * 512, part);
        } else {
          byte[] data = decompressedGrain(grain, entry * 512);
          part.put(data, inGrain, length);
        }
      } else {
        long start = entry * 512;
        long needed = Math.min(grainBytes, virtualSize - grain * grainBytes);
        checkGrainPlacement(grain, start, needed);
        source.readFully("grain " + grain, start + inGrain, part);
      }
      destination.position(destination.position() + length);
      position += length;
    }
  }

  private static void zero(ByteBuffer buffer) {
    Zeros.fill(buffer, buffer.remaining());
  }

  private byte[] decompressedGrain(long grain, long start) throws IOException {
    synchronized (grainCache) {
      byte[] cached = grainCache.get(grain);
      if (cached != null) {
        return cached;
      }
    }
    byte[] data = inflate(compressedGrain(grain, start), start);
    long needed = Math.min(grainBytes, virtualSize - grain * grainBytes);
    synchronized (grainCache) {
      grainCache.put(grain, data);
    }
    if (data.length < needed) {
      throw VmdkImages.corrupt("compressed grain at offset " + start + " is too short");
    }
    return data;
  }

  /**
   * Inflates the whole grain {@code grain} into {@code destination}, which has exactly one grain
   * remaining, without the cache: the same checks as {@link #decompressedGrain} and no copy.
   */
  private void inflateGrain(long grain, long start, ByteBuffer destination) throws IOException {
    byte[] compressed = compressedGrain(grain, start);
    int from = destination.position();
    try {
      inflateInto(compressed, start, destination, false);
    } catch (DataFormatException zlibFailure) {
      destination.position(from);
      try {
        inflateInto(compressed, start, destination, true);
      } catch (DataFormatException e) {
        throw VmdkImages.corrupt(
            "compressed grain at offset " + start + " cannot be inflated: " + zlibFailure.getMessage());
      }
    }
    if (destination.hasRemaining()) {
      throw VmdkImages.corrupt("compressed grain at offset " + start + " is too short");
    }
  }

  private void inflateInto(byte[] compressed, long offset, ByteBuffer destination, boolean raw)
      throws DataFormatException {
    byte[] overflow = new byte[1];
    Inflater inflater = (raw ? RAW_INFLATERS : ZLIB_INFLATERS).get();
    inflater.reset();
    try {
      inflater.setInput(compressed);
      while (!inflater.finished()) {
        boolean full = !destination.hasRemaining();
        int count = full ? inflater.inflate(overflow) : inflater.inflate(destination);
        if (full && count > 0) {
          throw VmdkImages.corrupt("compressed grain at offset " + offset + " inflates beyond one grain");
        }
        if (count == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw VmdkImages.corrupt("compressed grain at offset " + offset + " is truncated");
        }
      }
    } finally {
      inflater.reset();
    }
  }

  /** The compressed bytes of grain {@code grain}, behind its checked grain marker at {@code start}. */
  private byte[] compressedGrain(long grain, long start) throws IOException {
    checkGrainPlacement(grain, start, GRAIN_MARKER_HEADER);
    ByteBuffer marker =
        source.read("grain marker of grain " + grain, start, GRAIN_MARKER_HEADER)
            .order(ByteOrder.LITTLE_ENDIAN);
    long lba = marker.getLong(0);
    long size = Integer.toUnsignedLong(marker.getInt(8));
    if (lba != grain * header.grainSize()) {
      throw VmdkImages.corrupt(
          "grain marker at offset " + start + " is for sector " + lba + ", the grain table says"
              + " sector " + grain * header.grainSize());
    }
    if (size == 0 || size > 2L * grainBytes + 4096) {
      throw VmdkImages.corrupt(
          "grain marker at offset " + start + " declares " + size + " compressed bytes");
    }
    checkGrainPlacement(grain, start, GRAIN_MARKER_HEADER + size);
    return source.read("compressed grain " + grain, start + GRAIN_MARKER_HEADER, (int) size).array();
  }

  /** Inflates one grain (zlib wrapper, or raw deflate as some writers produce). */
  private byte[] inflate(byte[] compressed, long offset) {
    try {
      return inflate(compressed, offset, false);
    } catch (DataFormatException zlibFailure) {
      try {
        return inflate(compressed, offset, true);
      } catch (DataFormatException e) {
        throw VmdkImages.corrupt(
            "compressed grain at offset " + offset + " cannot be inflated: "
                + zlibFailure.getMessage());
      }
    }
  }

  private byte[] inflate(byte[] compressed, long offset, boolean raw) throws DataFormatException {
    byte[] out = new byte[grainBytes];
    byte[] overflow = new byte[1];
    Inflater inflater = (raw ? RAW_INFLATERS : ZLIB_INFLATERS).get();
    inflater.reset();
    try {
      inflater.setInput(compressed);
      int total = 0;
      while (!inflater.finished()) {
        int count =
            total < out.length
                ? inflater.inflate(out, total, out.length - total)
                : inflater.inflate(overflow);
        if (total == out.length && count > 0) {
          throw VmdkImages.corrupt("compressed grain at offset " + offset + " inflates beyond one grain");
        }
        total += count;
        if (count == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw VmdkImages.corrupt("compressed grain at offset " + offset + " is truncated");
        }
      }
      return total == out.length ? out : Arrays.copyOf(out, total);
    } finally {
      inflater.reset();
    }
  }

  @Override
  public Iterator<Extent> extents() {
    return new GrainExtents();
  }

  @Override
  public void close() throws IOException {
    if (owner != null) {
      owner.close();
    }
  }

  /** Walks the grain tables grain by grain, merging runs of the same type. */
  private final class GrainExtents extends MergingExtentIterator {
    private long position;

    @Override
    protected boolean hasMoreRuns() {
      return position < virtualSize;
    }

    @Override
    protected Extent nextRun() {
      long grain = position / grainBytes;
      long end = Math.min(virtualSize, (grain + 1) * grainBytes);
      ExtentType type;
      int tableIndex = (int) (grain / header.gtesPerGrainTable());
      if (grainDirectory[tableIndex] == 0) {
        // no grain table: the whole span of the table is unallocated, skipped in one step
        long tableSpan = (long) header.gtesPerGrainTable() * grainBytes;
        end = Math.min(virtualSize, (tableIndex + 1) * tableSpan);
        type = ExtentType.UNALLOCATED;
      } else {
        try {
          long entry = entry(grain);
          type = entry == 0 ? ExtentType.UNALLOCATED : isZeroGrain(entry) ? ExtentType.ZERO : ExtentType.DATA;
          if (type == ExtentType.DATA && !header.compressed()) {
            checkGrainPlacement(grain, entry * 512, end - grain * grainBytes);
          }
        } catch (IOException e) {
          throw new FerryException(ErrorCode.IO_ERROR, "VMDK: " + e.getMessage(), e);
        }
      }
      Extent extent = new Extent(position, end - position, type);
      position = end;
      return extent;
    }
  }
}
