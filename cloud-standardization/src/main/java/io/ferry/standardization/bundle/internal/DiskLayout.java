package io.ferry.standardization.bundle.internal;

import io.ferry.standardization.bundle.BundleManifest.FileSystem;
import io.ferry.standardization.bundle.BundleManifest.Partition;
import io.ferry.standardization.bundle.BundleManifest.PartitionScheme;
import io.ferry.standardization.bundle.BundleManifest.PartitionTable;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.spi.BootMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * Parses a disk's partition table (GPT, or MBR with extended partitions) and the file systems in
 * its partitions, and judges the boot mode. Reads only a few sectors per partition. Problems
 * (bad checksums, entries past the end of the disk) are recorded in the table, never thrown: a
 * bundle is lossless whatever its partition table looks like.
 */
public final class DiskLayout {

  /** The EFI system partition's GPT type. */
  public static final String EFI_SYSTEM = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";

  /** The BIOS boot partition's GPT type (GRUB's core image on GPT disks). */
  public static final String BIOS_BOOT = "21686148-6449-6E6F-744E-656564454649";

  private static final Map<String, String> GPT_TYPES =
      Map.ofEntries(
          Map.entry(EFI_SYSTEM, "EFI System"),
          Map.entry(BIOS_BOOT, "BIOS boot"),
          Map.entry("0FC63DAF-8483-4772-8E79-3D69D8477DE4", "Linux filesystem"),
          Map.entry("4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709", "Linux root (x86-64)"),
          Map.entry("B921B045-1DF0-41C3-AF44-4C6F280D3FAE", "Linux root (ARM-64)"),
          Map.entry("BC13C2FF-59E6-4262-A352-B275FD6F7172", "Linux extended boot"),
          Map.entry("0657FD6D-A4AB-43C4-84E5-0933C84B4F4F", "Linux swap"),
          Map.entry("E6D6D379-F507-44C2-A23C-238F2A3DF928", "Linux LVM"),
          Map.entry("A19D880F-05FC-4D3B-A006-743F0F84911E", "Linux RAID"),
          Map.entry("933AC7E1-2EB4-4F13-B844-0E14E2AEF915", "Linux home"),
          Map.entry("EBD0A0A2-B9E5-4433-87C0-68B6B72699C7", "Microsoft basic data"),
          Map.entry("E3C9E316-0B5C-4DB8-817D-F92DF00215AE", "Microsoft reserved"),
          Map.entry("DE94BBA4-06D1-4D40-A16A-BFD50179D6AC", "Windows recovery environment"));

  private static final Map<Integer, String> MBR_TYPES =
      Map.ofEntries(
          Map.entry(0x01, "FAT12"),
          Map.entry(0x04, "FAT16 <32M"),
          Map.entry(0x05, "Extended"),
          Map.entry(0x06, "FAT16"),
          Map.entry(0x07, "HPFS/NTFS/exFAT"),
          Map.entry(0x0B, "W95 FAT32"),
          Map.entry(0x0C, "W95 FAT32 (LBA)"),
          Map.entry(0x0E, "W95 FAT16 (LBA)"),
          Map.entry(0x0F, "W95 Extended (LBA)"),
          Map.entry(0x82, "Linux swap"),
          Map.entry(0x83, "Linux"),
          Map.entry(0x85, "Linux extended"),
          Map.entry(0x8E, "Linux LVM"),
          Map.entry(0xEE, "GPT protective"),
          Map.entry(0xEF, "EFI (FAT-12/16/32)"),
          Map.entry(0xFD, "Linux raid autodetect"));

  private static final int MAX_GPT_ENTRY_BYTES = 1 << 20;
  private static final int MAX_LOGICAL_PARTITIONS = 256;

  private final DiskImageReader disk;
  private final long diskSize;
  private final List<String> problems = new ArrayList<>();

  /** What was found on a disk. */
  public record Result(PartitionTable table, int logicalSectorSize, BootMode bootMode) {}

  private DiskLayout(DiskImageReader disk) {
    this.disk = disk;
    this.diskSize = disk.virtualSize();
  }

  /** Parses the partition table and file systems of {@code disk}. */
  public static Result probe(DiskImageReader disk) throws IOException {
    return new DiskLayout(disk).run();
  }

  private Result run() throws IOException {
    if (diskSize < 512) {
      return new Result(PartitionTable.NONE, 512, BootMode.UNKNOWN);
    }
    ByteBuffer sector0 = read(0, 512);
    boolean mbrSignature = (sector0.getShort(510) & 0xffff) == 0xAA55;
    boolean bootCode = !allZero(sector0, 0, 440);
    for (int sectorSize : new int[] {512, 4096}) {
      if (mbrSignature && hasProtectiveEntry(sector0) && diskSize >= 2L * sectorSize) {
        ByteBuffer header = read(sectorSize, 512);
        if (ascii(header, 0, "EFI PART")) {
          PartitionTable table = gpt(header, sectorSize, bootCode);
          return new Result(table, sectorSize, bootMode(table));
        }
      }
    }
    Optional<FileSystem> wholeDisk = FileSystemDetector.detect(read(0, FileSystemDetector.PROBE_LENGTH));
    boolean bootSectorFileSystem =
        wholeDisk.isPresent() && ("vfat".equals(wholeDisk.get().type()) || "ntfs".equals(wholeDisk.get().type()));
    // GRUB's MBR also starts with a jump; a plausible partition table wins over a FAT look-alike
    if (wholeDisk.isPresent() && bootSectorFileSystem && mbrSignature && plausibleEntries(sector0)) {
      wholeDisk = Optional.empty();
    }
    if (wholeDisk.isPresent() || !mbrSignature) {
      PartitionTable table =
          new PartitionTable(PartitionScheme.NONE, null, null, false, List.of(), wholeDisk.orElse(null), problems);
      return new Result(table, 512, BootMode.UNKNOWN);
    }
    PartitionTable table = mbr(sector0, bootCode);
    return new Result(table, 512, bootMode(table));
  }

  private PartitionTable gpt(ByteBuffer header, int sectorSize, boolean bootCode) throws IOException {
    int headerSize = header.getInt(12);
    if (headerSize >= 92 && headerSize <= 512) {
      CRC32 crc = new CRC32();
      ByteBuffer copy = ByteBuffer.allocate(headerSize).order(ByteOrder.LITTLE_ENDIAN);
      copy.put(header.duplicate().position(0).limit(headerSize));
      copy.putInt(16, 0);
      crc.update(copy.array(), 0, headerSize);
      if ((int) crc.getValue() != header.getInt(16)) {
        problems.add("GPT header at offset " + sectorSize + ": CRC32 mismatch");
      }
    } else {
      problems.add("GPT header at offset " + sectorSize + ": header size " + headerSize + " out of range");
    }
    String diskGuid = guid(header, 56);
    long entriesLba = header.getLong(72);
    long entryCount = header.getInt(80) & 0xffffffffL;
    long entrySize = header.getInt(84) & 0xffffffffL;
    List<Partition> partitions = new ArrayList<>();
    if (entrySize < 128 || entrySize % 8 != 0 || entryCount * entrySize > MAX_GPT_ENTRY_BYTES
        || entriesLba < 2 || entriesLba > diskSize / sectorSize
        || entriesLba * sectorSize + entryCount * entrySize > diskSize) {
      problems.add("GPT header at offset " + sectorSize + ": partition entry array (LBA " + entriesLba
          + ", " + entryCount + " entries of " + entrySize + " bytes) out of range");
      return new PartitionTable(PartitionScheme.GPT, diskGuid, null, bootCode, partitions, null, problems);
    }
    ByteBuffer entries = read(entriesLba * sectorSize, (int) (entryCount * entrySize));
    CRC32 crc = new CRC32();
    crc.update(entries.duplicate().position(0));
    if ((int) crc.getValue() != header.getInt(88)) {
      problems.add("GPT partition entry array at offset " + entriesLba * sectorSize + ": CRC32 mismatch");
    }
    for (int index = 0; index < entryCount; index++) {
      int base = (int) (index * entrySize);
      if (allZero(entries, base, 16)) {
        continue;
      }
      String typeGuid = guid(entries, base);
      long firstLba = entries.getLong(base + 32);
      long lastLba = entries.getLong(base + 40);
      long start = firstLba * sectorSize;
      long size = (lastLba - firstLba + 1) * sectorSize;
      if (firstLba < 0 || lastLba < firstLba || start + size > diskSize || start + size < 0) {
        problems.add("GPT entry " + (index + 1) + ": LBA " + firstLba + ".." + lastLba + " outside the disk");
        continue;
      }
      byte[] nameBytes = new byte[72];
      entries.duplicate().position(base + 56).get(nameBytes);
      String name = new String(nameBytes, StandardCharsets.UTF_16LE);
      int end = name.indexOf('\0');
      name = end >= 0 ? name.substring(0, end) : name;
      partitions.add(
          new Partition(index + 1, start, size, null, false, typeGuid, guid(entries, base + 16),
              name.isEmpty() ? null : name, entries.getLong(base + 48),
              GPT_TYPES.getOrDefault(typeGuid, "unknown"), fileSystemAt(start, size)));
    }
    return new PartitionTable(PartitionScheme.GPT, diskGuid, null, bootCode, partitions, null, problems);
  }

  private PartitionTable mbr(ByteBuffer sector0, boolean bootCode) throws IOException {
    int signature = sector0.getInt(440);
    List<Partition> partitions = new ArrayList<>();
    for (int index = 0; index < 4; index++) {
      int base = 446 + index * 16;
      int status = sector0.get(base) & 0xff;
      int type = sector0.get(base + 4) & 0xff;
      long firstSector = sector0.getInt(base + 8) & 0xffffffffL;
      long sectors = sector0.getInt(base + 12) & 0xffffffffL;
      if (type == 0 || sectors == 0) {
        continue;
      }
      if (status != 0 && status != 0x80) {
        problems.add("MBR entry " + (index + 1) + " at offset " + base + ": bad status byte " + status);
      }
      long start = firstSector * 512;
      long size = sectors * 512;
      if (start + size > diskSize) {
        problems.add("MBR entry " + (index + 1) + ": sectors " + firstSector + "+" + sectors + " outside the disk");
        continue;
      }
      boolean extended = type == 0x05 || type == 0x0F || type == 0x85;
      partitions.add(
          new Partition(index + 1, start, size, type, status == 0x80, null, null, null, 0,
              MBR_TYPES.getOrDefault(type, "unknown"), extended ? null : fileSystemAt(start, size)));
      if (extended) {
        logicalPartitions(firstSector, partitions);
      }
    }
    String signatureHex = signature == 0 ? null : String.format("%08x", signature);
    return new PartitionTable(PartitionScheme.MBR, null, signatureHex, bootCode, partitions, null, problems);
  }

  private void logicalPartitions(long extendedStart, List<Partition> partitions) throws IOException {
    Set<Long> visited = new HashSet<>();
    long ebrSector = extendedStart;
    int number = 5;
    while (number < 5 + MAX_LOGICAL_PARTITIONS) {
      if (!visited.add(ebrSector) || ebrSector * 512 + 512 > diskSize) {
        problems.add("extended boot record chain at sector " + ebrSector + " loops or leaves the disk");
        return;
      }
      ByteBuffer ebr = read(ebrSector * 512, 512);
      if ((ebr.getShort(510) & 0xffff) != 0xAA55) {
        problems.add("extended boot record at offset " + ebrSector * 512 + ": no 0x55AA signature");
        return;
      }
      int type = ebr.get(446 + 4) & 0xff;
      long relative = ebr.getInt(446 + 8) & 0xffffffffL;
      long sectors = ebr.getInt(446 + 12) & 0xffffffffL;
      if (type != 0 && sectors != 0) {
        long start = (ebrSector + relative) * 512;
        long size = sectors * 512;
        if (start + size <= diskSize) {
          partitions.add(
              new Partition(number, start, size, type, (ebr.get(446) & 0xff) == 0x80, null, null, null,
                  0, MBR_TYPES.getOrDefault(type, "unknown"), fileSystemAt(start, size)));
        } else {
          problems.add("logical partition " + number + " at offset " + start + " leaves the disk");
        }
        number++;
      }
      int nextType = ebr.get(446 + 16 + 4) & 0xff;
      long next = ebr.getInt(446 + 16 + 8) & 0xffffffffL;
      if (nextType == 0 || next == 0) {
        return;
      }
      ebrSector = extendedStart + next;
    }
  }

  private FileSystem fileSystemAt(long start, long size) throws IOException {
    int length = (int) Math.min(size, FileSystemDetector.PROBE_LENGTH);
    if (length < 512) {
      return null;
    }
    return FileSystemDetector.detect(read(start, length)).orElse(null);
  }

  private static BootMode bootMode(PartitionTable table) {
    boolean uefi = false;
    boolean bios = table.mbrBootCode();
    for (Partition partition : table.partitions()) {
      uefi |= EFI_SYSTEM.equals(partition.typeGuid())
          || (partition.mbrType() != null && partition.mbrType() == 0xEF);
      bios |= BIOS_BOOT.equals(partition.typeGuid());
    }
    if (uefi && bios) {
      return BootMode.HYBRID;
    }
    return uefi ? BootMode.UEFI : bios ? BootMode.BIOS : BootMode.UNKNOWN;
  }

  private boolean plausibleEntries(ByteBuffer sector0) {
    boolean any = false;
    for (int index = 0; index < 4; index++) {
      int base = 446 + index * 16;
      int status = sector0.get(base) & 0xff;
      int type = sector0.get(base + 4) & 0xff;
      long first = sector0.getInt(base + 8) & 0xffffffffL;
      long sectors = sector0.getInt(base + 12) & 0xffffffffL;
      if (status != 0 && status != 0x80) {
        return false;
      }
      if (type != 0 && sectors != 0) {
        if (first == 0 || (first + sectors) * 512 > diskSize) {
          return false;
        }
        any = true;
      }
    }
    return any;
  }

  private static boolean hasProtectiveEntry(ByteBuffer sector0) {
    for (int index = 0; index < 4; index++) {
      if ((sector0.get(446 + index * 16 + 4) & 0xff) == 0xEE) {
        return true;
      }
    }
    return false;
  }

  private ByteBuffer read(long offset, int length) throws IOException {
    int count = (int) Math.max(0, Math.min(length, diskSize - offset));
    ByteBuffer buffer = ByteBuffer.allocate(count);
    disk.read(offset, buffer);
    buffer.flip();
    return buffer.order(ByteOrder.LITTLE_ENDIAN);
  }

  /** A GPT GUID (mixed-endian on disk) in its canonical upper-case form. */
  static String guid(ByteBuffer bytes, int offset) {
    ByteBuffer little = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    StringBuilder text = new StringBuilder(36);
    text.append(String.format("%08X-%04X-%04X-", little.getInt(offset),
        little.getShort(offset + 4) & 0xffff, little.getShort(offset + 6) & 0xffff));
    for (int index = 8; index < 16; index++) {
      if (index == 10) {
        text.append('-');
      }
      text.append(String.format("%02X", bytes.get(offset + index) & 0xff));
    }
    return text.toString().toUpperCase(Locale.ROOT);
  }

  private static boolean allZero(ByteBuffer bytes, int offset, int length) {
    for (int index = offset; index < offset + length && index < bytes.limit(); index++) {
      if (bytes.get(index) != 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean ascii(ByteBuffer bytes, int offset, String expected) {
    if (offset + expected.length() > bytes.limit()) {
      return false;
    }
    for (int index = 0; index < expected.length(); index++) {
      if (bytes.get(offset + index) != (byte) expected.charAt(index)) {
        return false;
      }
    }
    return true;
  }
}
