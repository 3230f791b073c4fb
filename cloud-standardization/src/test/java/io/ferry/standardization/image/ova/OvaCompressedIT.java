package io.ferry.standardization.image.ova;

import static io.ferry.standardization.image.vhd.DiskFixtures.checkedExtents;
import static io.ferry.standardization.image.vhd.DiskFixtures.content;
import static io.ferry.standardization.image.vhd.DiskFixtures.qemuImgOk;
import static io.ferry.standardization.image.vhd.DiskFixtures.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImages;
import io.ferry.standardization.image.vhd.DiskFixtures;
import io.ferry.standardization.image.vhd.DiskFixtures.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * OVAs whose disk file is gzip-compressed ({@code ovf:compression="gzip"}, as {@code ovftool
 * --compress} writes them) or split into chunks ({@code ovf:chunkSize}), assembled with gzip,
 * split and tar, read by Ferry identically to their source; damaged ones refused by name.
 */
class OvaCompressedIT {

  private static final long MIB = 1 << 20;
  private static final long CHUNK = 512 * 1024;

  @TempDir Path directory;
  private Path raw;
  private Path work;

  @BeforeEach
  void writeTheDisk() throws Exception {
    raw = DiskFixtures.raw(directory.resolve("source.raw"), Shape.MIXED, 43);
    work = Files.createDirectories(directory.resolve("work"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"monolithicSparse", "streamOptimized"})
  void readsAGzipCompressedDisk(String subformat) throws Exception {
    vmdk(subformat);
    OvaIT.run(work, "gzip", "-9", "disk.vmdk");
    Files.move(work.resolve("disk.vmdk.gz"), work.resolve("disk.vmdk"));
    Path ova = ova(ovf("ovf:compression=\"gzip\"", Files.size(work.resolve("disk.vmdk"))), "disk.vmdk");
    readsTheSource(ova);
  }

  @Test
  void readsAGzipCompressedQcow2Disk() throws Exception {
    qemuImgOk("convert", "-f", "raw", "-O", "qcow2", raw.toString(), work.resolve("disk.vmdk").toString());
    OvaIT.run(work, "gzip", "-9", "disk.vmdk");
    Files.move(work.resolve("disk.vmdk.gz"), work.resolve("disk.vmdk"));
    Path ova = ova(ovf("ovf:compression=\"gzip\"", Files.size(work.resolve("disk.vmdk"))), "disk.vmdk");
    readsTheSource(ova);
  }

  @Test
  void readsADiskSplitIntoChunks() throws Exception {
    vmdk("monolithicSparse");
    long size = Files.size(work.resolve("disk.vmdk"));
    List<String> chunks = split("disk.vmdk", CHUNK);
    assertThat(chunks).hasSizeGreaterThan(2);
    Path ova = ova(ovf("ovf:chunkSize=\"" + CHUNK + "\"", size), chunks.toArray(String[]::new));
    readsTheSource(ova);
  }

  @Test
  void readsAGzipCompressedDiskSplitIntoChunks() throws Exception {
    vmdk("monolithicSparse");
    OvaIT.run(work, "gzip", "-1", "disk.vmdk");
    Files.move(work.resolve("disk.vmdk.gz"), work.resolve("disk.vmdk"));
    long size = Files.size(work.resolve("disk.vmdk"));
    List<String> chunks = split("disk.vmdk", 256 * 1024);
    assertThat(chunks).hasSizeGreaterThan(1);
    Path ova =
        ova(ovf("ovf:compression=\"gzip\" ovf:chunkSize=\"262144\"", size), chunks.toArray(String[]::new));
    readsTheSource(ova);
  }

  @Test
  void aDiskDeclaredGzipThatIsNotIsRefused() throws Exception {
    vmdk("streamOptimized");
    Path ova = ova(ovf("ovf:compression=\"gzip\"", -1), "disk.vmdk");
    fails(ova, ErrorCode.IMAGE_CORRUPT, "disk file disk.vmdk is declared gzip-compressed but has no gzip header");
  }

  @Test
  void damagedGzipDataIsRefusedWithTheByteItFailedAt() throws Exception {
    vmdk("monolithicSparse");
    OvaIT.run(work, "gzip", "-9", "disk.vmdk");
    Path gz = work.resolve("disk.vmdk.gz");
    long size = Files.size(gz);
    try (FileChannel channel = FileChannel.open(gz, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(new byte[64]), size / 2); // zeros over the middle of the deflate data
    }
    Files.move(gz, work.resolve("disk.vmdk"));
    Path ova = ova(ovf("ovf:compression=\"gzip\"", size), "disk.vmdk");
    fails(ova, ErrorCode.IMAGE_CORRUPT, "disk file disk.vmdk cannot be inflated at byte ");
  }

  @Test
  void aGzipThatInflatesFarBeyondTheDiskIsRefused() throws Exception {
    Path zeros = work.resolve("disk");
    try (FileChannel channel = FileChannel.open(zeros, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(new byte[] {'K', 'D', 'M', 'V'}));
      channel.write(ByteBuffer.allocate(1), 200 * MIB - 1); // 200 MiB that gzip makes tiny
    }
    OvaIT.run(work, "gzip", "-1", "disk");
    Files.move(work.resolve("disk.gz"), work.resolve("disk.vmdk"));
    Path ova = ova(ovf("ovf:compression=\"gzip\"", -1), "disk.vmdk"); // the OVF's disk is about 5 MiB
    long capacity = Shape.MIXED.size();
    fails(ova, ErrorCode.IMAGE_CORRUPT,
        "disk file disk.vmdk inflates beyond " + (capacity + capacity / 8 + 64 * MIB) + " bytes");
  }

  @Test
  void anotherCompressionIsRefusedByName() throws Exception {
    vmdk("streamOptimized");
    Path ova = ova(ovf("ovf:compression=\"bzip2\"", -1), "disk.vmdk");
    fails(ova, ErrorCode.IMAGE_FEATURE_UNSUPPORTED, "disk file disk.vmdk is compressed with 'bzip2'");
  }

  @Test
  void aMissingChunkIsRefused() throws Exception {
    vmdk("monolithicSparse");
    List<String> chunks = split("disk.vmdk", CHUNK);
    Path ova = ova(ovf("ovf:chunkSize=\"" + CHUNK + "\"", -1), chunks.get(0), chunks.get(2));
    fails(ova, ErrorCode.IMAGE_CORRUPT, "the tar lacks chunk 1 of disk.vmdk (it holds chunks [0, 2])");
  }

  @Test
  void aChunkOfTheWrongSizeIsRefused() throws Exception {
    vmdk("monolithicSparse");
    List<String> chunks = split("disk.vmdk", CHUNK);
    Path ova = ova(ovf("ovf:chunkSize=\"" + 2 * CHUNK + "\"", -1), chunks.toArray(String[]::new));
    fails(ova, ErrorCode.IMAGE_CORRUPT, "chunk 'disk.vmdk.000000000' at offset ");
  }

  @Test
  void chunksThatDoNotAddUpToTheDeclaredSizeAreRefused() throws Exception {
    vmdk("monolithicSparse");
    long size = Files.size(work.resolve("disk.vmdk"));
    List<String> chunks = split("disk.vmdk", CHUNK);
    Path ova = ova(ovf("ovf:chunkSize=\"" + CHUNK + "\"", size + 1), chunks.toArray(String[]::new));
    fails(ova, ErrorCode.IMAGE_CORRUPT, "add up to " + size + " bytes; the OVF declares " + (size + 1));
  }

  private void readsTheSource(Path ova) throws Exception {
    assertThat(DiskImages.detect(ova)).isEqualTo(DiskFormat.OVA);
    try (DiskImageReader reader = DiskImages.open(ova)) {
      assertThat(reader.format()).isEqualTo(DiskFormat.OVA);
      assertThat(reader.virtualSize()).isEqualTo(Shape.MIXED.size());
      assertThat(readAll(reader)).isEqualTo(content(raw, Shape.MIXED.size()));
      // the extent map still tells holes from data: the MIXED disk has both
      assertThat(checkedExtents(reader).stream().filter(extent -> !extent.type().holdsData())).isNotEmpty();
      assertThat(scratchFiles()).as("the extracted disk is unlinked while open").isEmpty();
    }
  }

  private void fails(Path ova, ErrorCode code, String message) throws IOException {
    assertThatThrownBy(
            () -> {
              try (DiskImageReader reader = DiskImages.open(ova)) {
                readAll(reader);
              }
            })
        .isInstanceOfSatisfying(FerryException.class, e -> assertThat(e.code()).isEqualTo(code))
        .hasMessageContaining(message);
    assertThat(scratchFiles()).as("nothing is left behind").isEmpty();
  }

  private List<Path> scratchFiles() throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(file -> file.getFileName().toString().endsWith(".ferry-extract")).toList();
    }
  }

  private void vmdk(String subformat) throws Exception {
    qemuImgOk("convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=" + subformat,
        raw.toString(), work.resolve("disk.vmdk").toString());
  }

  /** Splits {@code file} as OVF chunks are named: {@code file.000000000}, {@code file.000000001}, ... */
  private List<String> split(String file, long chunkSize) throws Exception {
    OvaIT.run(work, "split", "-b", Long.toString(chunkSize), "-d", "-a", "9", file, file + ".");
    Files.delete(work.resolve(file));
    List<String> chunks = new ArrayList<>();
    for (int index = 0; Files.exists(work.resolve(String.format("%s.%09d", file, index))); index++) {
      chunks.add(String.format("%s.%09d", file, index));
    }
    return chunks;
  }

  private static String ovf(String fileAttributes, long fileSize) {
    return "<?xml version=\"1.0\"?>"
        + "<Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\""
        + " xmlns:ovf=\"http://schemas.dmtf.org/ovf/envelope/1\">"
        + "<References><File ovf:href=\"disk.vmdk\" ovf:id=\"file1\" " + fileAttributes
        + (fileSize >= 0 ? " ovf:size=\"" + fileSize + "\"" : "") + "/></References>"
        + "<DiskSection><Info>disks</Info>"
        + "<Disk ovf:diskId=\"vmdisk1\" ovf:fileRef=\"file1\" ovf:capacity=\"" + Shape.MIXED.size() + "\""
        + " ovf:format=\""
        + "http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized\"/>"
        + "</DiskSection></Envelope>";
  }

  private Path ova(String ovf, String... entries) throws Exception {
    Files.writeString(work.resolve("vm.ovf"), ovf);
    Path ova = directory.resolve("vm.ova");
    List<String> command = new ArrayList<>(List.of("tar", "-cf", ova.toString(), "vm.ovf"));
    command.addAll(List.of(entries));
    OvaIT.run(work, command.toArray(String[]::new));
    return ova;
  }
}
