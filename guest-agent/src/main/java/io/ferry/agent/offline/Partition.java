package io.ferry.agent.offline;

/**
 * A partition of a disk image.
 *
 * @param number the partition number as Linux names it (1 for {@code /dev/sda1})
 * @param offset the first byte
 * @param length the length in bytes
 * @param type the GPT type GUID (upper case) or the MBR type as {@code 0x83}
 * @param fileSystem ext4, xfs, vfat, swap or unknown (read from the superblock)
 * @param uuid the file system UUID as blkid prints it, or null
 * @param label the file system label (fstab's {@code LABEL=}), or null
 * @param partitionUuid the partition's own id (fstab's {@code PARTUUID=}): the GPT partition GUID in
 *     lower case, or the MBR disk signature and partition number ({@code 1a2b3c4d-01}); null when
 *     there is no partition table
 * @param partitionLabel the GPT partition name (fstab's {@code PARTLABEL=}), or null
 */
public record Partition(
    int number,
    long offset,
    long length,
    String type,
    String fileSystem,
    String uuid,
    String label,
    String partitionUuid,
    String partitionLabel) {

  /** A partition without label or partition ids. */
  public Partition(int number, long offset, long length, String type, String fileSystem, String uuid) {
    this(number, offset, length, type, fileSystem, uuid, null, null, null);
  }

  /** GPT "Linux filesystem data". */
  public static final String GPT_LINUX_DATA = "0FC63DAF-8483-4772-8E79-3D69D8477DE4";

  /** GPT "Linux root (x86-64)". */
  public static final String GPT_LINUX_ROOT_X86_64 = "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709";

  /** GPT "EFI System". */
  public static final String GPT_EFI_SYSTEM = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";

  /** Whether the partition holds a Linux file system that can be a root. */
  public boolean linuxFileSystem() {
    return fileSystem.equals("ext4") || fileSystem.equals("xfs") || fileSystem.equals("btrfs");
  }
}
