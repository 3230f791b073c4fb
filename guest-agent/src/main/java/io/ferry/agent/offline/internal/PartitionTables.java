package io.ferry.agent.offline.internal;

import io.ferry.agent.offline.Partition;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Reads GPT and MBR partition tables and file system superblocks of a raw disk. */
public final class PartitionTables {

  private static final int SECTOR = 512;
  private static final int MAX_GPT_ENTRIES = 1024;

  private PartitionTables() {}

  /**
   * The partitions of a raw disk (GPT, or MBR primary partitions); one pseudo-partition number 0
   * covering the disk when there is no table.
   *
   * @throws FerryException IMAGE_CORRUPT naming the structure and offset for inconsistent tables
   */
  public static List<Partition> read(FileChannel disk) throws IOException {
    long size = disk.size();
    ByteBuffer mbr = read(disk, 0, SECTOR);
    boolean mbrSigned = mbr.limit() == SECTOR && (mbr.get(510) & 0xff) == 0x55 && (mbr.get(511) & 0xff) == 0xaa;
    ByteBuffer gptHeader = read(disk, SECTOR, 92);
    if (gptHeader.limit() == 92 && "EFI PART".equals(ascii(gptHeader, 0, 8))) {
      return gpt(disk, gptHeader, size);
    }
    List<Partition> result = new ArrayList<>();
    if (mbrSigned) {
      int signature = mbr.getInt(440);
      for (int index = 0; index < 4; index++) {
        int entry = 446 + index * 16;
        int type = mbr.get(entry + 4) & 0xff;
        long first = Integer.toUnsignedLong(mbr.getInt(entry + 8));
        long sectors = Integer.toUnsignedLong(mbr.getInt(entry + 12));
        if (type == 0 || sectors == 0 || type == 0x05 || type == 0x0f || type == 0x85) {
          continue;
        }
        long offset = first * SECTOR;
        long length = sectors * SECTOR;
        if (offset + length > size) {
          throw new FerryException(ErrorCode.IMAGE_CORRUPT,
              "MBR partition entry " + (index + 1) + " at offset " + entry + " ends at byte "
                  + (offset + length) + ", beyond the disk's " + size + " bytes");
        }
        String partitionUuid = signature == 0 ? null : String.format("%08x-%02x", signature, index + 1);
        result.add(describe(disk, index + 1, offset, length, String.format("0x%02x", type), partitionUuid, null));
      }
    }
    if (result.isEmpty()) {
      result.add(describe(disk, 0, 0, size, "none", null, null));
    }
    return result;
  }

  private static List<Partition> gpt(FileChannel disk, ByteBuffer header, long size) throws IOException {
    long entriesLba = header.getLong(72);
    long count = Integer.toUnsignedLong(header.getInt(80));
    long entrySize = Integer.toUnsignedLong(header.getInt(84));
    if (count > MAX_GPT_ENTRIES || entrySize < 128 || entrySize > 4096 || entrySize % 8 != 0
        || entriesLba < 2 || entriesLba * SECTOR + count * entrySize > size) {
      throw new FerryException(ErrorCode.IMAGE_CORRUPT,
          "GPT header at offset 512: partition entry array (LBA " + entriesLba + ", " + count
              + " entries of " + entrySize + " bytes) is out of range");
    }
    ByteBuffer entries = read(disk, entriesLba * SECTOR, (int) (count * entrySize));
    List<Partition> result = new ArrayList<>();
    for (int index = 0; index < count; index++) {
      int entry = (int) (index * entrySize);
      String type = guid(entries, entry);
      if (type.equals("00000000-0000-0000-0000-000000000000")) {
        continue;
      }
      long first = entries.getLong(entry + 32);
      long last = entries.getLong(entry + 40);
      if (first < 0 || last < first || (last + 1) * SECTOR > size) {
        throw new FerryException(ErrorCode.IMAGE_CORRUPT,
            "GPT partition entry " + (index + 1) + " at offset " + (entriesLba * SECTOR + entry)
                + ": LBA range " + first + ".." + last + " lies outside the disk of " + size + " bytes");
      }
      String partitionUuid = guid(entries, entry + 16).toLowerCase(java.util.Locale.ROOT);
      String name = utf16(entries, entry + 56, (int) Math.min(72, entrySize - 56));
      result.add(describe(disk, index + 1, first * SECTOR, (last - first + 1) * SECTOR, type, partitionUuid,
          name.isEmpty() ? null : name));
    }
    return result;
  }

  private static Partition describe(FileChannel disk, int number, long offset, long length, String type,
      String partitionUuid, String partitionLabel) throws IOException {
    ByteBuffer start = read(disk, offset, (int) Math.min(length, 8192));
    String fileSystem = "unknown";
    String uuid = null;
    String label = null;
    if (start.limit() >= 1024 + 0x88 && (start.getShort(1024 + 0x38) & 0xffff) == 0xEF53) {
      fileSystem = "ext4";
      uuid = uuid(start, 1024 + 0x68);
      label = label(start, 1024 + 0x78, 16);
    } else if (start.limit() >= 120 && "XFSB".equals(ascii(start, 0, 4))) {
      fileSystem = "xfs";
      uuid = uuid(start, 32);
      label = label(start, 108, 12);
    } else if (start.limit() >= 512 && "FAT32   ".equals(ascii(start, 0x52, 8))) {
      fileSystem = "vfat";
      uuid = fatSerial(start, 0x43);
      label = fatLabel(start, 0x47);
    } else if (start.limit() >= 512 && ascii(start, 0x36, 5).startsWith("FAT1")) {
      fileSystem = "vfat";
      uuid = fatSerial(start, 0x27);
      label = fatLabel(start, 0x2B);
    } else if (start.limit() >= 4096 && "SWAPSPACE2".equals(ascii(start, 4086, 10))) {
      fileSystem = "swap";
      uuid = uuid(start, 1024 + 12);
    } else if (start.limit() >= 0x10000 + 72) {
      fileSystem = "unknown";
    }
    if (fileSystem.equals("unknown") && length > 0x10000 + 0x80) {
      ByteBuffer btrfs = read(disk, offset + 0x10000, 0x80);
      if (btrfs.limit() >= 0x48 && "_BHRfS_M".equals(ascii(btrfs, 0x40, 8))) {
        fileSystem = "btrfs";
        uuid = uuid(btrfs, 0x20);
      }
    }
    return new Partition(number, offset, length, type, fileSystem, uuid, label, partitionUuid, partitionLabel);
  }

  /** A NUL-padded UTF-8 label, or null when empty. */
  private static String label(ByteBuffer buffer, int at, int length) {
    byte[] bytes = new byte[length];
    int end = 0;
    for (int i = 0; i < length; i++) {
      bytes[i] = buffer.get(at + i);
      if (bytes[i] != 0) {
        end = i + 1;
      }
    }
    String text = new String(bytes, 0, end, StandardCharsets.UTF_8);
    return text.isBlank() ? null : text;
  }

  /** The boot sector's space-padded volume label (blkid prefers the root directory's, usually equal). */
  private static String fatLabel(ByteBuffer buffer, int at) {
    String text = ascii(buffer, at, 11).trim();
    return text.isEmpty() || text.equals("NO NAME") ? null : text;
  }

  private static String utf16(ByteBuffer buffer, int at, int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = buffer.get(at + i);
    }
    String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_16LE);
    int nul = text.indexOf('\0');
    return nul < 0 ? text : text.substring(0, nul);
  }

  private static String uuid(ByteBuffer buffer, int at) {
    byte[] bytes = new byte[16];
    for (int i = 0; i < 16; i++) {
      bytes[i] = buffer.get(at + i);
    }
    String hex = HexFormat.of().formatHex(bytes);
    return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
        + hex.substring(16, 20) + "-" + hex.substring(20);
  }

  private static String fatSerial(ByteBuffer buffer, int at) {
    int serial = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(at);
    return String.format("%04X-%04X", (serial >>> 16) & 0xffff, serial & 0xffff);
  }

  private static String guid(ByteBuffer buffer, int at) {
    ByteBuffer little = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    StringBuilder builder = new StringBuilder();
    builder.append(String.format("%08X-%04X-%04X-", little.getInt(at), little.getShort(at + 4), little.getShort(at + 6)));
    for (int i = 8; i < 16; i++) {
      if (i == 10) {
        builder.append('-');
      }
      builder.append(String.format("%02X", buffer.get(at + i)));
    }
    return builder.toString();
  }

  private static String ascii(ByteBuffer buffer, int at, int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = buffer.get(at + i);
    }
    return new String(bytes, StandardCharsets.US_ASCII);
  }

  private static ByteBuffer read(FileChannel channel, long offset, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, offset + buffer.position()) < 0) {
        break;
      }
    }
    buffer.flip();
    return buffer;
  }
}
