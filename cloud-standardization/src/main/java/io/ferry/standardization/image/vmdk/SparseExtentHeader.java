package io.ferry.standardization.image.vmdk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 512-byte header of a hosted sparse extent (VMware Virtual Disk Format 1.1), little-endian,
 * magic {@code KDMV}. Sizes and offsets are in 512-byte sectors.
 */
record SparseExtentHeader(
    int version,
    int flags,
    long capacity,
    long grainSize,
    long descriptorOffset,
    long descriptorSize,
    int gtesPerGrainTable,
    long redundantGrainDirectoryOffset,
    long grainDirectoryOffset,
    long overhead,
    int compressAlgorithm) {

  static final int SIZE = 512;
  static final int MAGIC = 0x564D444B; // "KDMV" read little-endian
  static final long GD_AT_END = -1L;
  static final int FLAG_VALID_NEWLINE_TEST = 1;
  static final int FLAG_REDUNDANT_GRAIN_TABLE = 1 << 1;
  static final int FLAG_ZERO_GRAIN = 1 << 2;
  static final int FLAG_COMPRESSED = 1 << 16;
  static final int FLAG_MARKERS = 1 << 17;
  static final int COMPRESSION_DEFLATE = 1;
  /** VMDK's own maximum is 62 TiB; anything beyond 64 TiB is not a real disk. */
  static final long MAX_CAPACITY_SECTORS = (64L << 40) / 512;

  /** Whether {@code bytes} starts with the sparse extent magic. */
  static boolean hasMagic(ByteBuffer bytes) {
    return bytes.remaining() >= 4
        && bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(bytes.position()) == MAGIC;
  }

  /** Parses and validates a header found at {@code offset} (for messages). */
  static SparseExtentHeader parse(ByteBuffer raw, long offset) {
    ByteBuffer bytes = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int base = bytes.position();
    if (bytes.remaining() < SIZE) {
      throw VmdkImages.corrupt("sparse extent header at offset " + offset + " is truncated");
    }
    if (bytes.getInt(base) != MAGIC) {
      throw new io.ferry.standardization.FerryException(
          io.ferry.standardization.ErrorCode.IMAGE_FORMAT_UNKNOWN,
          "VMDK: no sparse extent header (magic 'KDMV') at offset " + offset);
    }
    SparseExtentHeader header =
        new SparseExtentHeader(
            bytes.getInt(base + 4),
            bytes.getInt(base + 8),
            bytes.getLong(base + 12),
            bytes.getLong(base + 20),
            bytes.getLong(base + 28),
            bytes.getLong(base + 36),
            bytes.getInt(base + 44),
            bytes.getLong(base + 48),
            bytes.getLong(base + 56),
            bytes.getLong(base + 64),
            Short.toUnsignedInt(bytes.getShort(base + 77)));
    header.validate(offset);
    return header;
  }

  private void validate(long offset) {
    String where = "sparse extent header at offset " + offset;
    if (version < 1 || version > 3) {
      throw VmdkImages.unsupported(where + " has version " + version + " (1 to 3 are known)");
    }
    if (capacity < 0 || capacity > MAX_CAPACITY_SECTORS) {
      throw VmdkImages.corrupt(where + " declares an absurd capacity of " + capacity + " sectors");
    }
    if (grainSize < 1 || grainSize > 2048 || Long.bitCount(grainSize) != 1) {
      throw VmdkImages.corrupt(where + " declares grain size " + grainSize + " sectors");
    }
    if (gtesPerGrainTable < 1 || gtesPerGrainTable > 4096 || Integer.bitCount(gtesPerGrainTable) != 1) {
      throw VmdkImages.corrupt(
          where + " declares " + gtesPerGrainTable + " grain table entries per grain table");
    }
    if (descriptorSize < 0 || descriptorSize > 2048 || descriptorOffset < 0) {
      throw VmdkImages.corrupt(where + " declares an embedded descriptor of " + descriptorSize + " sectors");
    }
    if (compressed() && compressAlgorithm != COMPRESSION_DEFLATE) {
      throw VmdkImages.unsupported(where + " uses unknown compression algorithm " + compressAlgorithm);
    }
  }

  boolean compressed() {
    return (flags & FLAG_COMPRESSED) != 0;
  }

  boolean hasMarkers() {
    return (flags & FLAG_MARKERS) != 0;
  }

  long grainBytes() {
    return grainSize * 512;
  }

  /** The number of grain tables (and grain directory entries) the capacity needs. */
  long grainTableCount() {
    long grains = (capacity + grainSize - 1) / grainSize;
    return (grains + gtesPerGrainTable - 1) / gtesPerGrainTable;
  }

  /** Encodes a header with these fields. */
  ByteBuffer encode() {
    ByteBuffer bytes = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
    bytes.putInt(0, MAGIC);
    bytes.putInt(4, version);
    bytes.putInt(8, flags);
    bytes.putLong(12, capacity);
    bytes.putLong(20, grainSize);
    bytes.putLong(28, descriptorOffset);
    bytes.putLong(36, descriptorSize);
    bytes.putInt(44, gtesPerGrainTable);
    bytes.putLong(48, redundantGrainDirectoryOffset);
    bytes.putLong(56, grainDirectoryOffset);
    bytes.putLong(64, overhead);
    bytes.put(72, (byte) 0); // uncleanShutdown
    bytes.put(73, (byte) '\n');
    bytes.put(74, (byte) ' ');
    bytes.put(75, (byte) '\r');
    bytes.put(76, (byte) '\n');
    bytes.putShort(77, (short) compressAlgorithm);
    return bytes;
  }

  /** This header with another grain directory offset (the footer of a stream). */
  SparseExtentHeader withGrainDirectoryOffset(long sector) {
    return new SparseExtentHeader(
        version, flags, capacity, grainSize, descriptorOffset, descriptorSize, gtesPerGrainTable,
        redundantGrainDirectoryOffset, sector, overhead, compressAlgorithm);
  }
}
