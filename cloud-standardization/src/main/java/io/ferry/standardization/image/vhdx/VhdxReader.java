package io.ferry.standardization.image.vhdx;

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
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * Reads fixed and dynamic VHDX images (MS-VHDX): the current header (valid CRC-32C, highest
 * sequence number), the region table, the metadata (file parameters, virtual disk size, logical
 * sector size) and the block allocation table, read lazily in pages. A log holding updates never
 * applied is replayed in memory first ({@link VhdxLog}), the file itself left as it is;
 * differencing disks (a parent, or partially present blocks) are refused.
 */
final class VhdxReader implements DiskImageReader {

  private static final long MIB = 1 << 20;
  private static final int HEADER_SIZE = 4096;
  private static final int REGION_TABLE_SIZE = 64 * 1024;
  private static final long[] HEADER_OFFSETS = {64 * 1024, 128 * 1024};
  private static final long[] REGION_TABLE_OFFSETS = {192 * 1024, 256 * 1024};
  static final UUID BAT_REGION = UUID.fromString("2dc27766-f623-4200-9d64-115e9bfd4a08");
  static final UUID METADATA_REGION = UUID.fromString("8b7ca206-4790-4b9a-b8fe-575f050f886e");
  static final UUID FILE_PARAMETERS = UUID.fromString("caa16737-fa36-4d43-b3b6-33f0aa44e76b");
  static final UUID VIRTUAL_DISK_SIZE = UUID.fromString("2fa54224-cd1b-4876-b211-5dbed83bf4b8");
  /** The same item under the identifier some writers (older qemu among them) used. */
  static final UUID VIRTUAL_DISK_SIZE_ALTERNATE =
      UUID.fromString("2fa54224-cd1b-4876-b211-5be07a6ce32c");
  static final UUID VIRTUAL_DISK_ID = UUID.fromString("beca12ab-b2e6-4523-93ef-c309e000c746");
  static final UUID LOGICAL_SECTOR_SIZE = UUID.fromString("8141bf1d-a96f-4709-ba47-f233a8faab5f");
  static final UUID PHYSICAL_SECTOR_SIZE = UUID.fromString("cda348c7-445d-4471-9cc9-e9885251c556");
  static final UUID PARENT_LOCATOR = UUID.fromString("a8d35f2d-b30b-454d-abf7-d3d84834ab0c");
  private static final long MAX_VIRTUAL_SIZE = 64L << 40;
  private static final int PAGE_ENTRIES = 512;

  static final int NOT_PRESENT = 0;
  static final int UNDEFINED = 1;
  static final int ZERO = 2;
  static final int UNMAPPED = 3;
  static final int FULLY_PRESENT = 6;
  static final int PARTIALLY_PRESENT = 7;

  private final VhdxFile file;
  private final boolean ownsChannel;
  private final long virtualSize;
  private final long blockSize;
  private final long chunkRatio;
  private final long batOffset;
  private final long payloadBlocks;
  private final Map<Long, long[]> pageCache = LeastRecentlyUsedCache.create(64);

  private VhdxReader(
      VhdxFile file,
      boolean ownsChannel,
      long virtualSize,
      long blockSize,
      long chunkRatio,
      long batOffset) {
    this.file = file;
    this.ownsChannel = ownsChannel;
    this.virtualSize = virtualSize;
    this.blockSize = blockSize;
    this.chunkRatio = chunkRatio;
    this.batOffset = batOffset;
    this.payloadBlocks = (virtualSize + blockSize - 1) / blockSize;
  }

  static UUID guid(ByteBuffer bytes, int offset) {
    ByteBuffer little = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long data1 = Integer.toUnsignedLong(little.getInt(offset));
    long data2 = Short.toUnsignedLong(little.getShort(offset + 4));
    long data3 = Short.toUnsignedLong(little.getShort(offset + 6));
    long high = (data1 << 32) | (data2 << 16) | data3;
    long low = bytes.duplicate().order(ByteOrder.BIG_ENDIAN).getLong(offset + 8);
    return new UUID(high, low);
  }

  static int crc32c(ByteBuffer bytes, int length, int checksumOffset) {
    byte[] copy = new byte[length];
    bytes.duplicate().position(0).get(copy);
    Arrays.fill(copy, checksumOffset, checksumOffset + 4, (byte) 0);
    CRC32C crc = new CRC32C();
    crc.update(copy);
    return (int) crc.getValue();
  }

  static VhdxReader open(FileChannel channel, boolean ownsChannel) throws IOException {
    FileWindow window = new FileWindow("VHDX", channel);
    if (window.length() < MIB) {
      throw corrupt("file of " + window.length() + " bytes is too small for the headers");
    }
    ByteBuffer identifier = window.read("file type identifier", 0, 8);
    if (!"vhdxfile".equals(StandardCharsets.US_ASCII.decode(identifier).toString())) {
      throw new FerryException(
          ErrorCode.IMAGE_FORMAT_UNKNOWN, "VHDX: no file type identifier 'vhdxfile' at offset 0");
    }
    ByteBuffer header = currentHeader(window);
    // the log's updates are laid over the file before any other structure is read (MS-VHDX 2.3.3)
    VhdxFile file = VhdxLog.replay(window, header);
    BitSet used = new BitSet();
    used.set(0); // the header section, first MiB
    long logOffset = header.getLong(72);
    long logLength = Integer.toUnsignedLong(header.getInt(68));
    markUsed(used, file, "log", logOffset, logLength);
    ByteBuffer regions = regionTable(file);
    long batRegionOffset = -1;
    long batRegionLength = 0;
    long metadataOffset = -1;
    long metadataLength = 0;
    int entryCount = regions.getInt(8);
    if (entryCount < 0 || entryCount > 2047) {
      throw corrupt("region table declares " + Integer.toUnsignedString(entryCount) + " entries");
    }
    for (int index = 0; index < entryCount; index++) {
      int at = 16 + index * 32;
      UUID id = guid(regions, at);
      long offset = regions.getLong(at + 16);
      long length = Integer.toUnsignedLong(regions.getInt(at + 24));
      boolean required = (regions.getInt(at + 28) & 1) != 0;
      markUsed(used, file, "region " + id, offset, length);
      if (id.equals(BAT_REGION)) {
        batRegionOffset = offset;
        batRegionLength = length;
      } else if (id.equals(METADATA_REGION)) {
        metadataOffset = offset;
        metadataLength = length;
      } else if (required) {
        throw new FerryException(
            ErrorCode.IMAGE_FEATURE_UNSUPPORTED, "VHDX: unknown required region " + id);
      }
    }
    if (batRegionOffset < 0 || metadataOffset < 0) {
      throw corrupt("region table lacks the block allocation table or metadata region");
    }
    Metadata metadata = Metadata.read(file, metadataOffset, metadataLength);
    long chunkRatio = (1L << 23) * metadata.logicalSectorSize() / metadata.blockSize();
    long payloadBlocks = (metadata.virtualSize() + metadata.blockSize() - 1) / metadata.blockSize();
    long entries = payloadBlocks == 0 ? 0 : payloadBlocks + (payloadBlocks - 1) / chunkRatio;
    if (entries * 8 > batRegionLength) {
      throw corrupt(
          "block allocation table region at offset " + batRegionOffset + " holds "
              + batRegionLength / 8 + " entries, the disk needs " + entries);
    }
    VhdxReader reader =
        new VhdxReader(
            file, ownsChannel, metadata.virtualSize(), metadata.blockSize(), chunkRatio, batRegionOffset);
    reader.validateTable(used);
    return reader;
  }

  /** Marks MiB units of the file as used by a structure; a unit used twice is an overlap. */
  private static void markUsed(BitSet used, VhdxFile file, String structure, long offset, long length) {
    if (length == 0) {
      return;
    }
    long limit = (file.length() + MIB - 1) / MIB * MIB;
    if (offset < MIB || offset % MIB != 0 || length % MIB != 0 || length > limit
        || offset > limit - length) {
      throw corrupt(
          structure + " at offset " + offset + " (length " + length + ") is misaligned or lies"
              + " outside the file of " + file.length() + " bytes");
    }
    int first = (int) (offset / MIB);
    int last = (int) ((offset + length) / MIB);
    if (used.nextSetBit(first) >= 0 && used.nextSetBit(first) < last) {
      throw corrupt(
          structure + " at offset " + offset + " overlaps another structure at offset "
              + used.nextSetBit(first) * MIB);
    }
    used.set(first, last);
  }

  private static ByteBuffer currentHeader(FileWindow file) throws IOException {
    ByteBuffer best = null;
    long bestSequence = -1;
    for (long offset : HEADER_OFFSETS) {
      ByteBuffer header = file.read("header", offset, HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
      boolean signature = header.getInt(0) == 0x64616568; // "head"
      if (!signature || header.getInt(4) != crc32c(header, HEADER_SIZE, 4)) {
        continue;
      }
      long sequence = header.getLong(8);
      if (best == null || Long.compareUnsigned(sequence, bestSequence) > 0) {
        best = header;
        bestSequence = sequence;
      }
    }
    if (best == null) {
      throw corrupt(
          "neither header (at offsets 65536 and 131072) has a valid signature and CRC-32C checksum");
    }
    int version = Short.toUnsignedInt(best.getShort(66));
    if (version != 1) {
      throw new FerryException(
          ErrorCode.IMAGE_FEATURE_UNSUPPORTED, "VHDX: header version " + version + " is unknown");
    }
    return best;
  }

  private static ByteBuffer regionTable(VhdxFile file) throws IOException {
    for (long offset : REGION_TABLE_OFFSETS) {
      ByteBuffer table = file.read("region table", offset, REGION_TABLE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
      if (table.getInt(0) == 0x69676572 // "regi"
          && table.getInt(4) == crc32c(table, REGION_TABLE_SIZE, 4)) {
        return table;
      }
    }
    throw corrupt(
        "neither region table (at offsets 196608 and 262144) has a valid signature and CRC-32C"
            + " checksum");
  }

  /** Checks every payload and sector bitmap entry: state, bounds and overlaps. */
  private void validateTable(BitSet used) throws IOException {
    for (long block = 0; block < payloadBlocks; block++) {
      long entry = entry(block);
      int state = (int) (entry & 7);
      String where = "block allocation table entry for block " + block + " (at offset "
          + (batOffset + 8 * index(block)) + ")";
      switch (state) {
        case NOT_PRESENT, UNDEFINED, ZERO, UNMAPPED -> {}
        case FULLY_PRESENT -> {
          long offset = (entry >>> 20) * MIB;
          long length = Math.min(blockSize, virtualSize - block * blockSize);
          long span = (length + MIB - 1) / MIB * MIB;
          if (offset + length > file.length()) {
            throw corrupt(
                where + " points to data at offset " + offset + " past the end of the file ("
                    + file.length() + ")");
          }
          markUsed(used, file, where + ": data", offset, span);
        }
        case PARTIALLY_PRESENT ->
            throw new FerryException(
                ErrorCode.IMAGE_FEATURE_UNSUPPORTED,
                "VHDX: " + where + " is partially present, which only differencing disks use;"
                    + " differencing VHDX disks are not supported");
        default -> throw corrupt(where + " has unknown state " + state);
      }
    }
  }

  /** The index in the BAT of payload block {@code block}: sector bitmap entries interleave. */
  private long index(long block) {
    return block + block / chunkRatio;
  }

  private long entry(long block) throws IOException {
    long index = index(block);
    long page = index / PAGE_ENTRIES;
    long[] entries;
    synchronized (pageCache) {
      entries = pageCache.get(page);
    }
    if (entries == null) {
      long pageStart = page * PAGE_ENTRIES;
      long lastIndex = index(payloadBlocks - 1);
      int count = (int) Math.min(PAGE_ENTRIES, lastIndex + 1 - pageStart);
      ByteBuffer bytes =
          file.read("block allocation table", batOffset + pageStart * 8, count * 8)
              .order(ByteOrder.LITTLE_ENDIAN);
      entries = new long[count];
      for (int at = 0; at < count; at++) {
        entries[at] = bytes.getLong(at * 8);
      }
      synchronized (pageCache) {
        pageCache.put(page, entries);
      }
    }
    return entries[(int) (index % PAGE_ENTRIES)];
  }

  @Override
  public DiskFormat format() {
    return DiskFormat.VHDX;
  }

  /** Whether a log was replayed, and what it held. */
  @Override
  public List<String> notes() {
    return file.replayNote() == null ? List.of() : List.of(file.replayNote());
  }

  @Override
  public long virtualSize() {
    return virtualSize;
  }

  @Override
  public void read(long offset, ByteBuffer destination) throws IOException {
    ReadRanges.check("VHDX", offset, destination.remaining(), virtualSize);
    long position = offset;
    while (destination.hasRemaining()) {
      long block = position / blockSize;
      long inBlock = position % blockSize;
      int length = (int) Math.min(destination.remaining(), blockSize - inBlock);
      ByteBuffer part = destination.slice(destination.position(), length);
      long entry = entry(block);
      if ((entry & 7) == FULLY_PRESENT) {
        file.readFully("data of block " + block, (entry >>> 20) * MIB + inBlock, part);
      } else {
        Zeros.fill(part, part.remaining());
      }
      destination.position(destination.position() + length);
      position += length;
    }
  }

  @Override
  public Iterator<Extent> extents() {
    return new MergingExtentIterator() {
      private long block;

      @Override
      protected boolean hasMoreRuns() {
        return block < payloadBlocks;
      }

      @Override
      protected Extent nextRun() {
        long start = block * blockSize;
        long end = Math.min(virtualSize, start + blockSize);
        int state;
        try {
          state = (int) (entry(block) & 7);
        } catch (IOException e) {
          throw new FerryException(ErrorCode.IO_ERROR, "VHDX: " + e.getMessage(), e);
        }
        block++;
        ExtentType type =
            state == FULLY_PRESENT ? ExtentType.DATA : state == ZERO ? ExtentType.ZERO : ExtentType.UNALLOCATED;
        return new Extent(start, end - start, type);
      }
    };
  }

  @Override
  public void close() throws IOException {
    if (ownsChannel) {
      file.window().channel().close();
    }
  }

  /** The metadata items Ferry needs. */
  record Metadata(long blockSize, long virtualSize, long logicalSectorSize) {

    static Metadata read(VhdxFile file, long regionOffset, long regionLength) throws IOException {
      ByteBuffer table = file.read("metadata table", regionOffset, 64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
      if (!"metadata".equals(new String(table.array(), 0, 8, StandardCharsets.US_ASCII))) {
        throw corrupt("no metadata table signature at offset " + regionOffset);
      }
      int count = Short.toUnsignedInt(table.getShort(10));
      if (count > 2047) {
        throw corrupt("metadata table at offset " + regionOffset + " declares " + count + " entries");
      }
      ByteBuffer fileParameters = null;
      ByteBuffer size = null;
      ByteBuffer sectorSize = null;
      for (int index = 0; index < count; index++) {
        int at = 32 + index * 32;
        UUID id = guid(table, at);
        long offset = Integer.toUnsignedLong(table.getInt(at + 16));
        long length = Integer.toUnsignedLong(table.getInt(at + 20));
        boolean required = (table.getInt(at + 24) & 4) != 0;
        if (length > 0 && (offset < 64 * 1024 || offset + length > regionLength || length > 64 * 1024)) {
          throw corrupt(
              "metadata item " + id + " at offset " + (regionOffset + offset) + " (length " + length
                  + ") lies outside the metadata region");
        }
        if (id.equals(PARENT_LOCATOR)) {
          throw new FerryException(
              ErrorCode.IMAGE_FEATURE_UNSUPPORTED,
              "VHDX: the disk has a parent locator: differencing disks are not supported");
        } else if (id.equals(FILE_PARAMETERS)) {
          fileParameters = item(file, regionOffset + offset, length, 8, "file parameters");
        } else if (id.equals(VIRTUAL_DISK_SIZE) || id.equals(VIRTUAL_DISK_SIZE_ALTERNATE)) {
          size = item(file, regionOffset + offset, length, 8, "virtual disk size");
        } else if (id.equals(LOGICAL_SECTOR_SIZE)) {
          sectorSize = item(file, regionOffset + offset, length, 4, "logical sector size");
        } else if (required && !id.equals(VIRTUAL_DISK_ID) && !id.equals(PHYSICAL_SECTOR_SIZE)) {
          throw new FerryException(
              ErrorCode.IMAGE_FEATURE_UNSUPPORTED, "VHDX: unknown required metadata item " + id);
        }
      }
      if (fileParameters == null || size == null || sectorSize == null) {
        throw corrupt(
            "metadata table at offset " + regionOffset + " lacks file parameters, virtual disk"
                + " size or logical sector size");
      }
      long blockSize = Integer.toUnsignedLong(fileParameters.getInt(0));
      int flags = fileParameters.getInt(4);
      if ((flags & 2) != 0) {
        throw new FerryException(
            ErrorCode.IMAGE_FEATURE_UNSUPPORTED,
            "VHDX: the file parameters say the disk has a parent: differencing disks are not"
                + " supported");
      }
      if (blockSize < MIB || blockSize > 256 * MIB || Long.bitCount(blockSize) != 1) {
        throw corrupt("file parameters declare block size " + blockSize);
      }
      long logicalSectorSize = Integer.toUnsignedLong(sectorSize.getInt(0));
      if (logicalSectorSize != 512 && logicalSectorSize != 4096) {
        throw corrupt("logical sector size " + logicalSectorSize + " is neither 512 nor 4096");
      }
      long virtualSize = size.getLong(0);
      if (virtualSize < 0 || virtualSize > MAX_VIRTUAL_SIZE || virtualSize % logicalSectorSize != 0) {
        throw corrupt("virtual disk size " + virtualSize + " is impossible");
      }
      return new Metadata(blockSize, virtualSize, logicalSectorSize);
    }

    private static ByteBuffer item(VhdxFile file, long offset, long length, int needed, String name)
        throws IOException {
      if (length < needed) {
        throw corrupt("metadata item " + name + " at offset " + offset + " is too short");
      }
      return file.read(name, offset, needed).order(ByteOrder.LITTLE_ENDIAN);
    }
  }

  /** A corrupt-image error about a VHDX. */
  static FerryException corrupt(String message) {
    return FileWindow.corrupt("VHDX", message);
  }
}
