package io.ferry.plugin.local.internal;

import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.spi.BootMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Tells a disk's boot mode from its partition table, for images without a sidecar: a GPT with an
 * EFI system partition boots UEFI, with a BIOS boot partition BIOS, with both HYBRID; an MBR with
 * an EFI partition (type 0xEF) boots UEFI, any other MBR BIOS. Reads at most the first 1 MiB of
 * partition entries; malformed tables give {@link BootMode#UNKNOWN}, never an exception.
 */
public final class BootModeProbe {

  /** The EFI system partition type GUID. */
  static final String EFI_SYSTEM = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";

  /** The BIOS boot partition type GUID (GRUB's core image on GPT). */
  static final String BIOS_BOOT = "21686148-6449-6E6F-744E-656564454649";

  private static final byte[] GPT_SIGNATURE = "EFI PART".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_ENTRY_BYTES = 1 << 20;

  private BootModeProbe() {}

  /** The boot mode of the disk {@code disk} reads. */
  public static BootMode probe(DiskImageReader disk) throws IOException {
    for (int sectorSize : new int[] {512, 4096}) {
      ByteBuffer header = readAt(disk, sectorSize, 92);
      if (header != null && startsWith(header, GPT_SIGNATURE)) {
        return probeGpt(disk, header, sectorSize);
      }
    }
    return probeMbr(disk);
  }

  private static BootMode probeGpt(DiskImageReader disk, ByteBuffer header, int sectorSize)
      throws IOException {
    long entriesLba = header.getLong(72);
    long count = Integer.toUnsignedLong(header.getInt(80));
    long entrySize = Integer.toUnsignedLong(header.getInt(84));
    if (entrySize < 128 || entrySize > 4096 || entrySize % 8 != 0 || count == 0) {
      return BootMode.UNKNOWN;
    }
    long totalBytes = Math.min(count * entrySize, MAX_ENTRY_BYTES);
    if (entriesLba <= 0 || entriesLba > disk.virtualSize() / sectorSize) {
      return BootMode.UNKNOWN;
    }
    ByteBuffer entries = readAt(disk, entriesLba * sectorSize, (int) totalBytes);
    if (entries == null) {
      return BootMode.UNKNOWN;
    }
    byte[] efi = guidBytes(EFI_SYSTEM);
    byte[] bios = guidBytes(BIOS_BOOT);
    boolean hasEfi = false;
    boolean hasBios = false;
    byte[] type = new byte[16];
    for (long position = 0; position + entrySize <= totalBytes; position += entrySize) {
      entries.get((int) position, type);
      hasEfi |= Arrays.equals(type, efi);
      hasBios |= Arrays.equals(type, bios);
    }
    if (hasEfi && hasBios) {
      return BootMode.HYBRID;
    }
    return hasEfi ? BootMode.UEFI : hasBios ? BootMode.BIOS : BootMode.UNKNOWN;
  }

  private static BootMode probeMbr(DiskImageReader disk) throws IOException {
    ByteBuffer mbr = readAt(disk, 0, 512);
    if (mbr == null || (mbr.get(510) & 0xff) != 0x55 || (mbr.get(511) & 0xff) != 0xAA) {
      return BootMode.UNKNOWN;
    }
    boolean anyPartition = false;
    for (int index = 0; index < 4; index++) {
      int type = mbr.get(446 + index * 16 + 4) & 0xff;
      if (type == 0xEF) {
        return BootMode.UEFI;
      }
      anyPartition |= type != 0;
    }
    return anyPartition ? BootMode.BIOS : BootMode.UNKNOWN;
  }

  /** {@code length} bytes at {@code offset}, little-endian, or null when the disk is too small. */
  private static ByteBuffer readAt(DiskImageReader disk, long offset, int length) throws IOException {
    if (offset + length > disk.virtualSize()) {
      return null;
    }
    ByteBuffer buffer = ByteBuffer.allocate(length);
    disk.read(offset, buffer);
    buffer.flip();
    return buffer.order(ByteOrder.LITTLE_ENDIAN);
  }

  private static boolean startsWith(ByteBuffer buffer, byte[] prefix) {
    for (int index = 0; index < prefix.length; index++) {
      if (buffer.get(index) != prefix[index]) {
        return false;
      }
    }
    return true;
  }

  /** A GUID as GPT stores it: the first three fields little-endian, the rest as written. */
  static byte[] guidBytes(String guid) {
    byte[] text = HexFormat.of().parseHex(guid.replace("-", ""));
    byte[] bytes = new byte[16];
    int[] order = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    for (int index = 0; index < 16; index++) {
      bytes[index] = text[order[index]];
    }
    return bytes;
  }
}
