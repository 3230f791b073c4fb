package io.ferry.standardization.image.vhd;

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
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;

/** Reads fixed and dynamic VHD images; differencing images are refused. */
final class VhdReader implements DiskImageReader {

  /** VHD's own limit is 2040 GiB; anything far beyond is not a real VHD. */
  static final long MAX_VIRTUAL_SIZE = 2048L << 30;
  private static final int MAX_BAT_ENTRIES = 1 << 22;
  private static final byte[] DYNAMIC_COOKIE = "cxsparse".getBytes(StandardCharsets.US_ASCII);
  private static final int DYNAMIC_HEADER_SIZE = 1024;
  private static final int UNALLOCATED = -1;

  private final FileWindow file;
  private final boolean ownsChannel;
  private final DiskFormat format;
  private final long virtualSize;
  private final int blockSize;
  private final int bitmapSize;
  private final int[] blockAllocationTable;
  private final Map<Integer, byte[]> bitmapCache = LeastRecentlyUsedCache.create(64);

  private VhdReader(
      FileWindow file,
      boolean ownsChannel,
      DiskFormat format,
      long virtualSize,
      int blockSize,
      int[] blockAllocationTable) {
    this.file = file;
    this.ownsChannel = ownsChannel;
    this.format = format;
    this.virtualSize = virtualSize;
    this.blockSize = blockSize;
    this.bitmapSize = blockSize == 0 ? 0 : roundUp(blockSize / 512 / 8, 512);
    this.blockAllocationTable = blockAllocationTable;
  }

  /** Opens a VHD; closes {@code channel} when the reader is closed if {@code ownsChannel}. */
  static VhdReader open(FileChannel channel, boolean ownsChannel) throws IOException {
    FileWindow file = new FileWindow("VHD", channel);
    if (file.length() < VhdFooter.SIZE) {
      throw corrupt("file of " + file.length() + " bytes is too small for a footer");
    }
    ByteBuffer head = file.read("footer copy", 0, VhdFooter.SIZE);
    if (VhdFooter.hasCookie(head)) {
      VhdFooter footer = VhdFooter.parse(head, 0);
      if (footer.diskType() == VhdFooter.TYPE_FIXED) {
        return openFixed(file, ownsChannel, footer);
      }
      return openDynamic(file, ownsChannel, footer);
    }
    long footerOffset = file.length() - VhdFooter.SIZE;
    VhdFooter footer = VhdFooter.parse(file.read("footer", footerOffset, VhdFooter.SIZE), footerOffset);
    if (footer.diskType() != VhdFooter.TYPE_FIXED) {
      checkType(footer, footerOffset);
      throw corrupt(
          "footer at offset " + footerOffset + " of a dynamic disk without its copy at offset 0");
    }
    return openFixed(file, ownsChannel, footer);
  }

  private static void checkType(VhdFooter footer, long offset) {
    if (footer.diskType() == VhdFooter.TYPE_DIFFERENCING) {
      throw new FerryException(
          ErrorCode.IMAGE_FEATURE_UNSUPPORTED,
          "VHD: differencing disks (with a parent image) are not supported; merge the chain"
              + " into a single fixed or dynamic VHD first");
    }
    if (footer.diskType() != VhdFooter.TYPE_FIXED && footer.diskType() != VhdFooter.TYPE_DYNAMIC) {
      throw corrupt(
          "footer at offset " + offset + " has unknown disk type " + footer.diskType());
    }
  }

  private static long checkedSize(VhdFooter footer, long offset) {
    long size = footer.currentSize();
    if (size < 0 || size > MAX_VIRTUAL_SIZE || size % 512 != 0) {
      throw corrupt(
          "footer at offset " + offset + " declares an impossible disk size " + size);
    }
    return size;
  }

  private static VhdReader openFixed(FileWindow file, boolean ownsChannel, VhdFooter footer) {
    long footerOffset = file.length() - VhdFooter.SIZE;
    long size = checkedSize(footer, footerOffset);
    if (size > footerOffset) {
      throw corrupt(
          "fixed disk of " + size + " bytes (footer at offset " + footerOffset
              + ") is truncated: the file holds only " + footerOffset + " bytes of data");
    }
    return new VhdReader(file, ownsChannel, DiskFormat.VHD_FIXED, size, 0, null);
  }

  private static VhdReader openDynamic(FileWindow file, boolean ownsChannel, VhdFooter footer)
      throws IOException {
    checkType(footer, 0);
    long size = checkedSize(footer, 0);
    long headerOffset = footer.dataOffset();
    if (headerOffset < VhdFooter.SIZE || headerOffset > file.length() - DYNAMIC_HEADER_SIZE) {
      throw corrupt(
          "footer at offset 0 points to a dynamic header at offset " + headerOffset
              + " outside the file");
    }
    ByteBuffer header = file.read("dynamic header", headerOffset, DYNAMIC_HEADER_SIZE);
    for (int index = 0; index < DYNAMIC_COOKIE.length; index++) {
      if (header.get(index) != DYNAMIC_COOKIE[index]) {
        throw corrupt("no dynamic header cookie 'cxsparse' at offset " + headerOffset);
      }
    }
    long stored = Integer.toUnsignedLong(header.getInt(36));
    long computed = VhdFooter.checksum(header, 0, DYNAMIC_HEADER_SIZE, 36);
    if (stored != computed) {
      throw corrupt(
          "dynamic header at offset " + headerOffset + " has checksum "
              + Long.toHexString(stored) + ", computed " + Long.toHexString(computed));
    }
    long tableOffset = header.getLong(16);
    long maxEntries = Integer.toUnsignedLong(header.getInt(28));
    long blockSize = Integer.toUnsignedLong(header.getInt(32));
    if (blockSize < 4096 || blockSize > (256 << 20) || Long.bitCount(blockSize) != 1) {
      throw corrupt(
          "dynamic header at offset " + headerOffset + " declares block size " + blockSize);
    }
    long needed = (size + blockSize - 1) / blockSize;
    if (maxEntries < needed) {
      throw corrupt(
          "dynamic header at offset " + headerOffset + " has " + maxEntries
              + " block allocation table entries, the disk size needs " + needed);
    }
    if (needed > MAX_BAT_ENTRIES) {
      throw corrupt(
          "dynamic header at offset " + headerOffset + " needs " + needed
              + " block allocation table entries, more than " + MAX_BAT_ENTRIES);
    }
    long tableBytes = needed * 4;
    if (tableOffset < headerOffset + DYNAMIC_HEADER_SIZE && tableOffset + tableBytes > headerOffset
        || tableOffset < VhdFooter.SIZE) {
      throw corrupt(
          "block allocation table at offset " + tableOffset + " overlaps the headers");
    }
    ByteBuffer table = file.read("block allocation table", tableOffset, (int) tableBytes);
    int[] entries = new int[(int) needed];
    for (int index = 0; index < entries.length; index++) {
      entries[index] = table.getInt(index * 4);
    }
    VhdReader reader =
        new VhdReader(file, ownsChannel, DiskFormat.VHD_DYNAMIC, size, (int) blockSize, entries);
    reader.validateBlocks(tableOffset, tableOffset + roundUp(tableBytes, 512), headerOffset);
    return reader;
  }

  /** Every allocated block lies inside the file, after the metadata, and no two overlap. */
  private void validateBlocks(long tableOffset, long tableEnd, long headerOffset) {
    long span = bitmapSize + (long) blockSize;
    long dataEnd = file.length() - VhdFooter.SIZE;
    long[] starts = new long[blockAllocationTable.length];
    int count = 0;
    for (int index = 0; index < blockAllocationTable.length; index++) {
      int entry = blockAllocationTable[index];
      if (entry == UNALLOCATED) {
        continue;
      }
      long start = Integer.toUnsignedLong(entry) * 512;
      String where =
          "block allocation table entry " + index + " (at offset " + (tableOffset + 4L * index)
              + ") points to block data at offset " + start;
      if (start + span > dataEnd) {
        throw corrupt(where + " past the end of the data (" + dataEnd + ")");
      }
      boolean overlapsHeader = start < headerOffset + DYNAMIC_HEADER_SIZE && start + span > headerOffset;
      boolean overlapsTable = start < tableEnd && start + span > tableOffset;
      if (start < VhdFooter.SIZE || overlapsHeader || overlapsTable) {
        throw corrupt(where + " overlapping the footer copy, header or table");
      }
      starts[count++] = start;
    }
    long[] sorted = Arrays.copyOf(starts, count);
    Arrays.sort(sorted);
    for (int index = 1; index < sorted.length; index++) {
      if (sorted[index] - sorted[index - 1] < span) {
        throw corrupt(
            "block allocation table at offset " + tableOffset + " has overlapping blocks at offsets "
                + sorted[index - 1] + " and " + sorted[index]);
      }
    }
  }

  private static long roundUp(long value, long multiple) {
    return (value + multiple - 1) / multiple * multiple;
  }

  private static int roundUp(int value, int multiple) {
    return (value + multiple - 1) / multiple * multiple;
  }

  @Override
  public DiskFormat format() {
    return format;
  }

  @Override
  public long virtualSize() {
    return virtualSize;
  }

  @Override
  public Iterator<Extent> extents() {
    if (blockAllocationTable == null) {
      return virtualSize == 0
          ? java.util.Collections.emptyIterator()
          : java.util.List.of(new Extent(0, virtualSize, ExtentType.DATA)).iterator();
    }
    return new DynamicExtents();
  }

  @Override
  public void read(long offset, ByteBuffer destination) throws IOException {
    ReadRanges.check("VHD", offset, destination.remaining(), virtualSize);
    if (blockAllocationTable == null) {
      file.readFully("disk data", offset, destination);
      return;
    }
    long position = offset;
    while (destination.hasRemaining()) {
      int block = (int) (position / blockSize);
      int inBlock = (int) (position % blockSize);
      int length = Math.min(destination.remaining(), blockSize - inBlock);
      ByteBuffer slice = destination.slice(destination.position(), length);
      readBlock(block, inBlock, slice);
      destination.position(destination.position() + length);
      position += length;
    }
  }

  private void readBlock(int block, int inBlock, ByteBuffer slice) throws IOException {
    int entry = blockAllocationTable[block];
    if (entry == UNALLOCATED) {
      zero(slice);
      return;
    }
    long dataStart = Integer.toUnsignedLong(entry) * 512 + bitmapSize;
    byte[] bitmap = bitmap(block);
    int sector = inBlock / 512;
    int position = inBlock;
    while (slice.hasRemaining()) {
      boolean present = isSet(bitmap, sector);
      int runEnd = sector + 1;
      int lastSector = (position + slice.remaining() - 1) / 512;
      while (runEnd <= lastSector && isSet(bitmap, runEnd) == present) {
        runEnd++;
      }
      int length = Math.min(slice.remaining(), runEnd * 512 - position);
      ByteBuffer part = slice.slice(slice.position(), length);
      if (present) {
        file.readFully("data of block " + block, dataStart + position, part);
      } else {
        zero(part);
      }
      slice.position(slice.position() + length);
      position += length;
      sector = runEnd;
    }
  }

  private static boolean isSet(byte[] bitmap, int sector) {
    return (bitmap[sector >>> 3] & (0x80 >>> (sector & 7))) != 0;
  }

  private byte[] bitmap(int block) throws IOException {
    synchronized (bitmapCache) {
      byte[] cached = bitmapCache.get(block);
      if (cached != null) {
        return cached;
      }
    }
    long offset = Integer.toUnsignedLong(blockAllocationTable[block]) * 512;
    byte[] bitmap = new byte[bitmapSize];
    file.readFully("sector bitmap of block " + block, offset, ByteBuffer.wrap(bitmap));
    synchronized (bitmapCache) {
      bitmapCache.put(block, bitmap);
    }
    return bitmap;
  }

  private static void zero(ByteBuffer buffer) {
    Zeros.fill(buffer, buffer.remaining());
  }

  @Override
  public void close() throws IOException {
    if (ownsChannel) {
      file.channel().close();
    }
  }

  /** Walks the BAT and the sector bitmaps block by block, merging runs of the same type. */
  private final class DynamicExtents extends MergingExtentIterator {
    private long position;

    @Override
    protected boolean hasMoreRuns() {
      return position < virtualSize;
    }

    @Override
    protected Extent nextRun() {
      int block = (int) (position / blockSize);
      long blockStart = (long) block * blockSize;
      long blockEnd = Math.min(virtualSize, blockStart + blockSize);
      if (blockAllocationTable[block] == UNALLOCATED) {
        Extent extent = new Extent(position, blockEnd - position, ExtentType.UNALLOCATED);
        position = blockEnd;
        return extent;
      }
      byte[] bitmap;
      try {
        bitmap = bitmap(block);
      } catch (IOException e) {
        throw new FerryException(ErrorCode.IO_ERROR, "VHD: " + e.getMessage(), e);
      }
      int sector = (int) ((position - blockStart) / 512);
      int lastSector = (int) ((blockEnd - blockStart - 1) / 512);
      boolean present = isSet(bitmap, sector);
      int runEnd = sector + 1;
      while (runEnd <= lastSector && isSet(bitmap, runEnd) == present) {
        runEnd++;
      }
      long end = Math.min(blockEnd, blockStart + runEnd * 512L);
      Extent extent =
          new Extent(position, end - position, present ? ExtentType.DATA : ExtentType.UNALLOCATED);
      position = end;
      return extent;
    }
  }

  /** A corrupt-image error about a VHD. */
  static FerryException corrupt(String message) {
    return FileWindow.corrupt("VHD", message);
  }
}
