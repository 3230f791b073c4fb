package io.ferry.standardization.bundle.internal;

import io.ferry.standardization.bundle.BundleManifest.FileSystem;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Recognises a file system from the first bytes of a partition by its superblock magic, the way
 * blkid does: ext2/3/4 (told apart by feature flags), xfs, btrfs, vfat (FAT12/16/32 from the
 * cluster count), NTFS, Linux swap and LVM2 physical volumes, with UUID and label where cheap.
 */
public final class FileSystemDetector {

  /** How many bytes from the partition's start the detector needs (btrfs's superblock at 64 KiB). */
  public static final int PROBE_LENGTH = 65536 + 4096;

  private static final HexFormat HEX = HexFormat.of();

  private FileSystemDetector() {}

  /** The file system whose superblock starts {@code head}, or empty. Never throws for odd input. */
  public static Optional<FileSystem> detect(ByteBuffer head) {
    ByteBuffer bytes = head.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    bytes.position(0);
    Optional<FileSystem> found = lvm(bytes);
    if (found.isEmpty()) {
      found = swap(bytes);
    }
    if (found.isEmpty()) {
      found = xfs(bytes);
    }
    if (found.isEmpty()) {
      found = btrfs(bytes);
    }
    if (found.isEmpty()) {
      found = ext(bytes);
    }
    if (found.isEmpty()) {
      found = ntfs(bytes);
    }
    if (found.isEmpty()) {
      found = fat(bytes);
    }
    return found;
  }

  private static Optional<FileSystem> ext(ByteBuffer bytes) {
    int superblock = 1024;
    if (bytes.limit() < superblock + 1024 || (bytes.getShort(superblock + 0x38) & 0xffff) != 0xEF53) {
      return Optional.empty();
    }
    int compatible = bytes.getInt(superblock + 0x5C);
    int incompatible = bytes.getInt(superblock + 0x60);
    int readOnlyCompatible = bytes.getInt(superblock + 0x64);
    if ((incompatible & 0x8) != 0) {
      return Optional.of(new FileSystem("jbd", null, uuid(bytes, superblock + 0x68), null));
    }
    int ext3Incompatible = 0x2 | 0x4 | 0x10; // filetype, recover, meta_bg
    int ext3ReadOnly = 0x1 | 0x2 | 0x4; // sparse_super, large_file, btree_dir
    String type;
    if ((incompatible & ~ext3Incompatible) != 0 || (readOnlyCompatible & ~ext3ReadOnly) != 0) {
      type = "ext4";
    } else if ((compatible & 0x4) != 0) {
      type = "ext3";
    } else {
      type = "ext2";
    }
    return Optional.of(
        new FileSystem(type, null, uuid(bytes, superblock + 0x68), text(bytes, superblock + 0x78, 16)));
  }

  private static Optional<FileSystem> xfs(ByteBuffer bytes) {
    if (!ascii(bytes, 0, "XFSB")) {
      return Optional.empty();
    }
    int blockSize = bytes.duplicate().order(ByteOrder.BIG_ENDIAN).getInt(4);
    if (blockSize < 512 || blockSize > 65536 || Integer.bitCount(blockSize) != 1) {
      return Optional.empty();
    }
    return Optional.of(new FileSystem("xfs", null, uuid(bytes, 32), text(bytes, 108, 12)));
  }

  private static Optional<FileSystem> btrfs(ByteBuffer bytes) {
    int superblock = 65536;
    if (!ascii(bytes, superblock + 0x40, "_BHRfS_M")) {
      return Optional.empty();
    }
    return Optional.of(
        new FileSystem("btrfs", null, uuid(bytes, superblock + 0x20), text(bytes, superblock + 0x12B, 256)));
  }

  private static Optional<FileSystem> ntfs(ByteBuffer bytes) {
    if (!ascii(bytes, 3, "NTFS    ") || bytes.limit() < 512) {
      return Optional.empty();
    }
    String serial = String.format("%016X", bytes.getLong(0x48));
    return Optional.of(new FileSystem("ntfs", null, serial, null));
  }

  private static Optional<FileSystem> fat(ByteBuffer bytes) {
    if (bytes.limit() < 512 || (bytes.getShort(510) & 0xffff) != 0xAA55) {
      return Optional.empty();
    }
    int jump = bytes.get(0) & 0xff;
    if (jump != 0xEB && jump != 0xE9) {
      return Optional.empty();
    }
    int bytesPerSector = bytes.getShort(11) & 0xffff;
    int sectorsPerCluster = bytes.get(13) & 0xff;
    int reservedSectors = bytes.getShort(14) & 0xffff;
    int fatCount = bytes.get(16) & 0xff;
    int rootEntries = bytes.getShort(17) & 0xffff;
    long totalSectors = bytes.getShort(19) & 0xffff;
    long fatSize = bytes.getShort(22) & 0xffff;
    if (totalSectors == 0) {
      totalSectors = bytes.getInt(32) & 0xffffffffL;
    }
    if (fatSize == 0) {
      fatSize = bytes.getInt(36) & 0xffffffffL;
    }
    if (bytesPerSector < 512
        || bytesPerSector > 4096
        || Integer.bitCount(bytesPerSector) != 1
        || sectorsPerCluster == 0
        || Integer.bitCount(sectorsPerCluster) != 1
        || reservedSectors == 0
        || fatCount < 1
        || fatCount > 4
        || fatSize == 0
        || totalSectors == 0) {
      return Optional.empty();
    }
    long rootSectors = ((long) rootEntries * 32 + bytesPerSector - 1) / bytesPerSector;
    long dataSectors = totalSectors - (reservedSectors + fatCount * fatSize + rootSectors);
    if (dataSectors <= 0) {
      return Optional.empty();
    }
    long clusters = dataSectors / sectorsPerCluster;
    String variant = clusters < 4085 ? "FAT12" : clusters < 65525 ? "FAT16" : "FAT32";
    int extended = "FAT32".equals(variant) ? 64 : 36;
    String volumeId = null;
    String label = null;
    if ((bytes.get(extended + 2) & 0xff) == 0x29) {
      int id = bytes.getInt(extended + 3);
      volumeId = String.format("%04X-%04X", (id >>> 16) & 0xffff, id & 0xffff);
      label = text(bytes, extended + 7, 11);
      if ("NO NAME".equals(label)) {
        label = null;
      }
    }
    return Optional.of(new FileSystem("vfat", variant, volumeId, label));
  }

  private static Optional<FileSystem> swap(ByteBuffer bytes) {
    for (int pageSize : new int[] {4096, 8192, 16384, 65536}) {
      if (ascii(bytes, pageSize - 10, "SWAPSPACE2")) {
        return Optional.of(new FileSystem("swap", null, uuid(bytes, 0x40C), text(bytes, 0x41C, 16)));
      }
      if (ascii(bytes, pageSize - 10, "SWAP-SPACE")) {
        return Optional.of(new FileSystem("swap", null, null, null));
      }
    }
    return Optional.empty();
  }

  private static Optional<FileSystem> lvm(ByteBuffer bytes) {
    for (int sector = 0; sector < 4; sector++) {
      int label = sector * 512;
      if (ascii(bytes, label, "LABELONE") && ascii(bytes, label + 24, "LVM2 001")) {
        String raw = text(bytes, label + 32, 32);
        String uuid = raw;
        if (raw != null && raw.length() == 32) {
          uuid = String.join("-", raw.substring(0, 6), raw.substring(6, 10), raw.substring(10, 14),
              raw.substring(14, 18), raw.substring(18, 22), raw.substring(22, 26), raw.substring(26));
        }
        return Optional.of(new FileSystem("LVM2_member", null, uuid, null));
      }
    }
    return Optional.empty();
  }

  private static boolean ascii(ByteBuffer bytes, int offset, String expected) {
    if (offset < 0 || offset + expected.length() > bytes.limit()) {
      return false;
    }
    for (int index = 0; index < expected.length(); index++) {
      if (bytes.get(offset + index) != (byte) expected.charAt(index)) {
        return false;
      }
    }
    return true;
  }

  /** A UUID in its canonical lower-case form, or null when all zero or out of range. */
  static String uuid(ByteBuffer bytes, int offset) {
    if (offset + 16 > bytes.limit()) {
      return null;
    }
    byte[] raw = new byte[16];
    bytes.duplicate().position(offset).get(raw);
    boolean zero = true;
    for (byte value : raw) {
      zero &= value == 0;
    }
    if (zero) {
      return null;
    }
    String hex = HEX.formatHex(raw);
    return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
        + hex.substring(16, 20) + "-" + hex.substring(20);
  }

  /** NUL- or space-padded text (UTF-8), trimmed, or null when empty or out of range. */
  static String text(ByteBuffer bytes, int offset, int length) {
    if (offset + length > bytes.limit()) {
      return null;
    }
    byte[] raw = new byte[length];
    bytes.duplicate().position(offset).get(raw);
    int end = 0;
    while (end < length && raw[end] != 0) {
      end++;
    }
    String value = new String(raw, 0, end, StandardCharsets.UTF_8).strip();
    return value.isEmpty() ? null : value;
  }
}
