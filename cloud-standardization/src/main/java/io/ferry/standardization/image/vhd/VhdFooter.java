package io.ferry.standardization.image.vhd;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The 512-byte hard disk footer of a VHD (Microsoft Virtual Hard Disk Image Format Specification):
 * big-endian, cookie {@code conectix}, checksum = one's complement of the byte sum without the
 * checksum field.
 */
record VhdFooter(
    long dataOffset,
    long originalSize,
    long currentSize,
    int geometry,
    int diskType,
    String creatorApplication) {

  static final int SIZE = 512;
  static final byte[] COOKIE = "conectix".getBytes(StandardCharsets.US_ASCII);
  static final int TYPE_FIXED = 2;
  static final int TYPE_DYNAMIC = 3;
  static final int TYPE_DIFFERENCING = 4;
  static final long NO_DATA_OFFSET = -1L;
  private static final int CHECKSUM_OFFSET = 64;
  /** Seconds between 1970-01-01 and 2000-01-01, the VHD epoch. */
  private static final long VHD_EPOCH_SECONDS = 946_684_800L;

  /** Whether {@code bytes} (512 bytes from its position) start with the footer cookie. */
  static boolean hasCookie(ByteBuffer bytes) {
    if (bytes.remaining() < COOKIE.length) {
      return false;
    }
    for (int index = 0; index < COOKIE.length; index++) {
      if (bytes.get(bytes.position() + index) != COOKIE[index]) {
        return false;
      }
    }
    return true;
  }

  /** Parses and verifies a footer read from {@code offset} (for messages). */
  static VhdFooter parse(ByteBuffer bytes, long offset) {
    if (bytes.remaining() < SIZE || !hasCookie(bytes)) {
      throw VhdReader.corrupt("no footer cookie 'conectix' at offset " + offset);
    }
    int base = bytes.position();
    long stored = Integer.toUnsignedLong(bytes.getInt(base + CHECKSUM_OFFSET));
    long computed = checksum(bytes, base, SIZE, CHECKSUM_OFFSET);
    if (stored != computed) {
      throw VhdReader.corrupt(
          "footer at offset " + offset + " has checksum " + Long.toHexString(stored)
              + ", computed " + Long.toHexString(computed));
    }
    int version = bytes.getInt(base + 12);
    if ((version >>> 16) != 1) {
      throw VhdReader.corrupt(
          "footer at offset " + offset + " has unknown format version 0x"
              + Integer.toHexString(version));
    }
    byte[] creator = new byte[4];
    bytes.get(base + 28, creator);
    return new VhdFooter(
        bytes.getLong(base + 16),
        bytes.getLong(base + 40),
        bytes.getLong(base + 48),
        bytes.getInt(base + 56),
        bytes.getInt(base + 60),
        new String(creator, StandardCharsets.ISO_8859_1));
  }

  /**
   * Encodes a footer. The creator application is {@code "win "}: with it, readers such as qemu take
   * the current size as the disk size instead of the CHS geometry, which is what Hyper-V and Azure
   * do; our sizes are exact multiples of 1 MiB (fixed) that CHS geometry cannot always express.
   */
  static ByteBuffer encode(
      long dataOffset, long size, int diskType, UUID uniqueId, long epochSeconds) {
    ByteBuffer buffer = ByteBuffer.allocate(SIZE);
    buffer.put(COOKIE);
    buffer.putInt(8, 0x00000002); // features: reserved bit always set
    buffer.putInt(12, 0x00010000); // file format version 1.0
    buffer.putLong(16, dataOffset);
    buffer.putInt(24, (int) Math.max(0, epochSeconds - VHD_EPOCH_SECONDS));
    buffer.put(28, "win ".getBytes(StandardCharsets.US_ASCII));
    buffer.putInt(32, 0x000a0000); // creator version 10.0
    buffer.putInt(36, 0x5769326B); // creator host OS: Windows ("Wi2k")
    buffer.putLong(40, size);
    buffer.putLong(48, size);
    buffer.putInt(56, geometry(size));
    buffer.putInt(60, diskType);
    buffer.putLong(68, uniqueId.getMostSignificantBits());
    buffer.putLong(76, uniqueId.getLeastSignificantBits());
    buffer.putInt(CHECKSUM_OFFSET, (int) checksum(buffer, 0, SIZE, CHECKSUM_OFFSET));
    buffer.position(0);
    return buffer;
  }

  /** One's complement of the sum of {@code length} bytes, skipping the 4-byte checksum field. */
  static long checksum(ByteBuffer bytes, int base, int length, int checksumOffset) {
    long sum = 0;
    for (int index = 0; index < length; index++) {
      if (index >= checksumOffset && index < checksumOffset + 4) {
        continue;
      }
      sum += bytes.get(base + index) & 0xFF;
    }
    return ~sum & 0xFFFFFFFFL;
  }

  /**
   * The CHS geometry (cylinders 16 bits, heads 8, sectors per track 8) as the VHD specification's
   * appendix computes it from the size.
   */
  static int geometry(long size) {
    long totalSectors = Math.min(size / 512, 65535L * 16 * 255);
    long sectorsPerTrack;
    long heads;
    long cylinderTimesHeads;
    if (totalSectors >= 65535L * 16 * 63) {
      sectorsPerTrack = 255;
      heads = 16;
      cylinderTimesHeads = totalSectors / sectorsPerTrack;
    } else {
      sectorsPerTrack = 17;
      cylinderTimesHeads = totalSectors / sectorsPerTrack;
      heads = Math.max(4, (cylinderTimesHeads + 1023) / 1024);
      if (cylinderTimesHeads >= heads * 1024 || heads > 16) {
        sectorsPerTrack = 31;
        heads = 16;
        cylinderTimesHeads = totalSectors / sectorsPerTrack;
      }
      if (cylinderTimesHeads >= heads * 1024) {
        sectorsPerTrack = 63;
        heads = 16;
        cylinderTimesHeads = totalSectors / sectorsPerTrack;
      }
    }
    long cylinders = cylinderTimesHeads / heads;
    return (int) ((cylinders << 16) | (heads << 8) | sectorsPerTrack);
  }
}
