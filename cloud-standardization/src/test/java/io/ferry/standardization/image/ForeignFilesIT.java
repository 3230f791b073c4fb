package io.ferry.standardization.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Files that are not raw disks are never taken for one: image formats Ferry does not read (made by
 * qemu-img) and compressed files or archives are refused by detection with what they are, and
 * read as raw only when the caller names raw.
 */
class ForeignFilesIT {

  @TempDir Path directory;

  private Path disk() throws Exception {
    Path raw = directory.resolve("disk.raw");
    byte[] data = new byte[1 << 20];
    new Random(3).nextBytes(data);
    data[510] = 0x55;
    data[511] = (byte) 0xaa;
    Files.write(raw, data);
    return raw;
  }

  @ParameterizedTest
  @ValueSource(strings = {"vdi:a VirtualBox VDI image", "qed:a QEMU QED image", "parallels:a Parallels image"})
  void imageFormatsFerryDoesNotReadAreRefusedByName(String formatAndName) throws Exception {
    assumeTrue(QemuImg.available(), "qemu-img is not installed (scripts/test-packages.apt)");
    String format = formatAndName.substring(0, formatAndName.indexOf(':'));
    Path image = directory.resolve("disk." + format);
    QemuImg.Result made = QemuImg.run(List.of("convert", "-f", "raw", "-O", format, disk().toString(), image.toString()));
    assumeTrue(made.exitCode() == 0, "this qemu-img cannot write " + format + ": " + made.output());
    assertRefused(image, formatAndName.substring(formatAndName.indexOf(':') + 1));
  }

  @Test
  void qemusOldQcowFormatIsRefusedWithWhatToDo() throws Exception {
    assumeTrue(QemuImg.available(), "qemu-img is not installed (scripts/test-packages.apt)");
    Path image = directory.resolve("old.qcow");
    QemuImg.convert(disk(), "raw", image, "qcow");
    assertThatThrownBy(() -> DiskImages.open(image))
        .isInstanceOf(FerryException.class)
        .satisfies(e -> assertThat(((FerryException) e).code()).isEqualTo(ErrorCode.IMAGE_FEATURE_UNSUPPORTED))
        .hasMessageContaining("old qcow format (version 1 at offset 4)")
        .hasMessageContaining("qemu-img convert -O qcow2");
  }

  @Test
  void aLuksEncryptedImageIsRefusedAndNotCopiedAsItsCiphertext() throws Exception {
    assumeTrue(QemuImg.available(), "qemu-img is not installed (scripts/test-packages.apt)");
    Path image = directory.resolve("disk.luks");
    QemuImg.Result made = QemuImg.run(List.of("convert", "--object", "secret,id=key,data=passphrase", "-f", "raw",
        "-O", "luks", "-o", "key-secret=key,iter-time=100", disk().toString(), image.toString()));
    assumeTrue(made.exitCode() == 0, "this qemu-img cannot write luks: " + made.output());
    assertRefused(image, "a LUKS-encrypted volume");
    assertThatThrownBy(() -> DiskImages.detect(image)).hasMessageContaining("decrypt it first");
  }

  /** Formats qemu-img reads but cannot write: their magic, as their tools put it. */
  @Test
  void readOnlyFormatsOfQemuAreRefusedByName() throws Exception {
    byte[] bochs = new byte[8192];
    System.arraycopy("Bochs Virtual HD Image".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, bochs, 0, 22);
    assertRefused(Files.write(directory.resolve("disk.bochs"), bochs), "a Bochs image");
    byte[] dmg = new byte[1 << 16];
    System.arraycopy("koly".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, dmg, dmg.length - 512, 4);
    assertRefused(Files.write(directory.resolve("disk.dmg"), dmg), "an Apple disk image (DMG)");
    byte[] cloop = "#!/bin/sh\n#V2.0 Format\nmodprobe cloop file=$0 && mount -r -t iso9660 /dev/cloop $1\n"
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    assertRefused(Files.write(directory.resolve("disk.cloop"), java.util.Arrays.copyOf(cloop, 4096)), "a cloop image");
  }

  @Test
  void compressedFilesAndArchivesAreRefusedAndReadAsRawOnlyWhenAskedTo() throws Exception {
    Path raw = disk();
    Path gzip = directory.resolve("disk.img.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gzip))) {
      Files.copy(raw, out);
    }
    assertRefused(gzip, "a gzip-compressed file");
    Path xz = Files.write(directory.resolve("disk.img.xz"), new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0, 0, 4, 1, 2});
    assertRefused(xz, "an xz-compressed file");
    Path zstd = Files.write(directory.resolve("disk.img.zst"), new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0x24, 0});
    assertRefused(zstd, "a zstd-compressed file");
    Path zip = directory.resolve("disk.zip");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
      out.putNextEntry(new ZipEntry("disk.raw"));
      Files.copy(raw, out);
    }
    assertRefused(zip, "a zip archive");
    Path tar = directory.resolve("disk.tar");
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(Files.newOutputStream(tar))) {
      out.putArchiveEntry(new TarArchiveEntry(raw, "disk.img"));
      Files.copy(raw, out);
      out.closeArchiveEntry();
    }
    assertRefused(tar, "a tar archive");

    try (DiskImageReader reader = DiskImages.open(gzip, DiskFormat.RAW)) {
      assertThat(reader.virtualSize()).as("read as raw when named").isEqualTo(Files.size(gzip));
    }
    assertThat(DiskImages.detect(raw)).as("a raw disk with an MBR signature").isEqualTo(DiskFormat.RAW);
  }

  private static void assertRefused(Path file, String what) {
    assertThatThrownBy(() -> DiskImages.detect(file))
        .isInstanceOf(FerryException.class)
        .satisfies(e -> assertThat(((FerryException) e).code()).isEqualTo(ErrorCode.IMAGE_FORMAT_UNKNOWN))
        .hasMessageContaining(file.getFileName() + " is " + what)
        .hasMessageContaining("name the format raw");
    assertThatThrownBy(() -> DiskImages.open(file)).isInstanceOf(FerryException.class);
  }
}
