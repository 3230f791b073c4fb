package io.ferry.standardization.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.standardization.bundle.BundleManifest.FileSystem;
import io.ferry.standardization.bundle.BundleManifest.Partition;
import io.ferry.standardization.bundle.BundleManifest.PartitionScheme;
import io.ferry.standardization.bundle.BundleManifest.PartitionTable;
import io.ferry.standardization.bundle.internal.DiskLayout;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImages;
import io.ferry.standardization.spi.BootMode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Partition tables made by sfdisk and file systems made by mkfs, parsed into the manifest: GPT
 * with BIOS boot, EFI system, swap and ext4 partitions; MBR with boot code, an extended partition
 * and logical partitions; whole-disk file systems of every kind the tools here can make.
 */
class DiskLayoutIT {

  private static final long MIB = 1 << 20;
  private static final String DISK_GUID = "6A1C0D8E-3B4F-4C2A-9E1D-0F2B3C4D5E6F";
  private static final String ROOT_GUID = "11111111-2222-4333-8444-555555555555";
  private static final String EXT4_UUID = "0b0e7d4c-9a5b-4c3e-8f21-5d6a7b8c9d0e";
  private static final String SWAP_UUID = "d1a2b3c4-e5f6-4789-8abc-def012345678";

  @TempDir Path folder;

  @Test
  void gptWithBiosBootEspSwapAndExt4IsAHybridDisk() throws Exception {
    assumeTools("sfdisk", "mkfs.ext4", "mkfs.vfat", "mkswap");
    Path disk = sparse("gpt.raw", 64 * MIB);
    Commands.checkWithInput(String.join("\n",
            "label: gpt",
            "label-id: " + DISK_GUID,
            "start=2048, size=2048, type=21686148-6449-6E6F-744E-656564454649, name=\"bios\"",
            "start=4096, size=32768, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=\"EFI System\"",
            "start=36864, size=8192, type=0657FD6D-A4AB-43C4-84E5-0933C84B4F4F, name=\"swap\"",
            "start=45056, size=81920, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=" + ROOT_GUID + ", name=\"root\"",
            ""),
        "sfdisk", "-q", disk.toString());
    place(disk, 4096 * 512, fileSystem("esp", 16 * MIB, "mkfs.vfat", "-F", "16", "-n", "EFI", "-i", "1234ABCD"));
    place(disk, 36864 * 512, fileSystem("swap", 4 * MIB, "mkswap", "-L", "swp", "-U", SWAP_UUID));
    place(disk, 45056 * 512, fileSystem("root", 40 * MIB, "mkfs.ext4", "-q", "-F", "-L", "rootfs", "-U", EXT4_UUID));

    BundleManifest manifest = bundle(disk);

    PartitionTable table = manifest.partitionTable();
    assertThat(table.scheme()).isEqualTo(PartitionScheme.GPT);
    assertThat(table.diskGuid()).isEqualTo(DISK_GUID);
    assertThat(table.problems()).isEmpty();
    assertThat(manifest.disk().logicalSectorSize()).isEqualTo(512);
    List<Partition> partitions = table.partitions();
    assertThat(partitions).extracting(Partition::number).containsExactly(1, 2, 3, 4);
    assertThat(partitions).extracting(Partition::name).containsExactly("bios", "EFI System", "swap", "root");
    assertThat(partitions).extracting(Partition::typeName)
        .containsExactly("BIOS boot", "EFI System", "Linux swap", "Linux filesystem");
    assertThat(partitions).extracting(Partition::start)
        .containsExactly(2048 * 512L, 4096 * 512L, 36864 * 512L, 45056 * 512L);
    assertThat(partitions).extracting(Partition::size)
        .containsExactly(1 * MIB, 16 * MIB, 4 * MIB, 40 * MIB);
    assertThat(partitions.get(3).guid()).isEqualTo(ROOT_GUID);
    assertThat(partitions.get(0).fileSystem()).isNull();
    assertThat(partitions.get(1).fileSystem()).isEqualTo(new FileSystem("vfat", "FAT16", "1234-ABCD", "EFI"));
    assertThat(partitions.get(2).fileSystem()).isEqualTo(new FileSystem("swap", null, SWAP_UUID, "swp"));
    assertThat(partitions.get(3).fileSystem()).isEqualTo(new FileSystem("ext4", null, EXT4_UUID, "rootfs"));
    assertThat(manifest.bootMode()).isEqualTo(BootMode.HYBRID);
  }

  @Test
  void gptWithOnlyAnEspBootsUefi() throws Exception {
    assumeTools("sfdisk");
    Path disk = sparse("uefi.raw", 16 * MIB);
    Commands.checkWithInput("label: gpt\nsize=8MiB, type=U\ntype=L\n", "sfdisk", "-q", disk.toString());
    try (DiskImageReader reader = DiskImages.open(disk, DiskFormat.RAW)) {
      DiskLayout.Result layout = DiskLayout.probe(reader);
      assertThat(layout.bootMode()).isEqualTo(BootMode.UEFI);
      assertThat(layout.table().partitions()).extracting(Partition::typeGuid)
          .containsExactly(DiskLayout.EFI_SYSTEM, "0FC63DAF-8483-4772-8E79-3D69D8477DE4");
    }
  }

  @Test
  void mbrWithBootCodeAndLogicalPartitionsBootsBios() throws Exception {
    assumeTools("sfdisk", "mkfs.ext3", "mkfs.vfat", "mkswap");
    Path disk = sparse("mbr.raw", 64 * MIB);
    Commands.checkWithInput(
        "label: dos\nlabel-id: 0x1234abcd\nstart=2048, size=16384, type=83, bootable\n"
            + "start=18432, type=5\nsize=8192, type=82\ntype=c\n",
        "sfdisk", "-q", disk.toString());
    byte[] bootCode = new byte[440];
    new Random(3).nextBytes(bootCode);
    place(disk, 0, bootCode);
    place(disk, 2048 * 512, fileSystem("boot", 8 * MIB, "mkfs.ext3", "-q", "-F", "-L", "boot"));
    place(disk, 20480 * 512, fileSystem("swap", 4 * MIB, "mkswap", "-U", SWAP_UUID));
    place(disk, 30720 * 512, fileSystem("data", 100352 * 512L, "mkfs.vfat", "-n", "DATA", "-i", "CAFEF00D"));

    BundleManifest manifest = bundle(disk);

    PartitionTable table = manifest.partitionTable();
    assertThat(table.scheme()).isEqualTo(PartitionScheme.MBR);
    assertThat(table.mbrDiskSignature()).isEqualTo("1234abcd");
    assertThat(table.mbrBootCode()).isTrue();
    assertThat(table.partitions()).extracting(Partition::number).containsExactly(1, 2, 5, 6);
    assertThat(table.partitions()).extracting(Partition::mbrType).containsExactly(0x83, 0x05, 0x82, 0x0C);
    assertThat(table.partitions()).extracting(Partition::bootable).containsExactly(true, false, false, false);
    assertThat(table.partitions()).extracting(Partition::start)
        .containsExactly(2048 * 512L, 18432 * 512L, 20480 * 512L, 30720 * 512L);
    assertThat(table.partitions().get(0).fileSystem().type()).isEqualTo("ext3");
    assertThat(table.partitions().get(0).fileSystem().label()).isEqualTo("boot");
    assertThat(table.partitions().get(1).fileSystem()).isNull();
    assertThat(table.partitions().get(2).fileSystem().uuid()).isEqualTo(SWAP_UUID);
    assertThat(table.partitions().get(3).fileSystem())
        .isEqualTo(new FileSystem("vfat", "FAT16", "CAFE-F00D", "DATA"));
    assertThat(manifest.bootMode()).isEqualTo(BootMode.BIOS);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "ext2, , 8, mkfs.ext2 -q -F -L e2",
    "ext3, , 8, mkfs.ext3 -q -F -L e3",
    "ext4, , 8, mkfs.ext4 -q -F -L e4",
    "vfat, FAT12, 2, mkfs.vfat -n SMALL",
    "vfat, FAT32, 40, mkfs.vfat -F 32 -s 1 -S 512 -n BIG",
    "xfs, , 320, mkfs.xfs -q -L xfsdisk",
    "btrfs, , 128, mkfs.btrfs -q -L btrdisk",
  })
  void wholeDiskFileSystemsAreRecognised(String type, String variant, long mebibytes, String command)
      throws Exception {
    String[] words = command.split(" ");
    assumeTools(words[0]);
    String[] arguments = java.util.Arrays.copyOfRange(words, 1, words.length);
    Path image = folder.resolve("whole.raw");
    sparse("whole.raw", mebibytes * MIB);
    String[] full = new String[arguments.length + 2];
    full[0] = words[0];
    System.arraycopy(arguments, 0, full, 1, arguments.length);
    full[full.length - 1] = image.toString();
    Commands.check(full);
    try (DiskImageReader reader = DiskImages.open(image, DiskFormat.RAW)) {
      PartitionTable table = DiskLayout.probe(reader).table();
      assertThat(table.scheme()).isEqualTo(PartitionScheme.NONE);
      assertThat(table.fileSystem()).isNotNull();
      assertThat(table.fileSystem().type()).isEqualTo(type);
      assertThat(table.fileSystem().variant()).isEqualTo(variant);
      assertThat(table.fileSystem().label()).isEqualTo(words[words.length - 1]);
      if (!"vfat".equals(type)) {
        String blkidUuid = Commands.run(null, "blkid", "-o", "value", "-s", "UUID", image.toString()).output().strip();
        if (!blkidUuid.isEmpty() && !blkidUuid.contains(" ")) {
          assertThat(table.fileSystem().uuid()).isEqualTo(blkidUuid);
        }
      }
    }
  }

  private BundleManifest bundle(Path disk) throws IOException {
    Bundles bundles = new Bundles(new LocalChunkStore(folder.resolve("store")), Clock.systemUTC());
    try (DiskImageReader reader = DiskImages.open(disk, DiskFormat.RAW)) {
      return bundles.bundle("layout", reader, BundleManifest.Source.UNKNOWN,
          BundleOptions.defaults().withChunkSize(1 << 20)).manifest();
    }
  }

  private Path sparse(String name, long size) throws IOException {
    Path path = folder.resolve(name);
    try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
      file.setLength(size);
    }
    return path;
  }

  /** Makes a file system in a file of its own and returns its bytes (a few MiB at most). */
  private byte[] fileSystem(String name, long size, String... mkfs) throws IOException {
    Path image = sparse(name + ".fs", size);
    String[] command = java.util.Arrays.copyOf(mkfs, mkfs.length + 1);
    command[mkfs.length] = image.toString();
    Commands.check(command);
    return java.nio.file.Files.readAllBytes(image);
  }

  private static void place(Path disk, long offset, byte[] content) throws IOException {
    try (FileChannel channel = FileChannel.open(disk, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) {
        channel.write(buffer, offset + buffer.position());
      }
    }
  }

  private static void assumeTools(String... tools) {
    for (String tool : tools) {
      assumeTrue(Commands.available(tool), tool + " is not installed (see scripts/test-packages.apt)");
    }
  }
}
