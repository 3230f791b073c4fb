package io.ferry.plugin.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.plugin.tck.TestDisk;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImages;
import io.ferry.standardization.image.QemuImg;
import io.ferry.standardization.spi.Architecture;
import io.ferry.standardization.spi.BootMode;
import io.ferry.standardization.spi.CloudPlugin;
import io.ferry.standardization.spi.DirectUpload;
import io.ferry.standardization.spi.JobTag;
import io.ferry.standardization.spi.PluginContext;
import io.ferry.standardization.spi.RegisterRequest;
import io.ferry.standardization.spi.RegisteredImage;
import io.ferry.standardization.spi.UploadSpec;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * An account of each writable format the image engine offers registers an upload that reads back
 * identical, is detected as that format, and (where qemu-img knows the format) compares equal
 * to the source and passes {@code qemu-img check}. Formats the engine does not write yet are
 * skipped with a message.
 */
class LocalAccountFormatsIT {

  @TempDir Path account;
  @TempDir Path work;

  @ParameterizedTest(name = "{0}")
  @EnumSource(DiskFormat.class)
  void uploadRegisteredInTheAccountFormatReadsBackIdentical(DiskFormat format) throws Exception {
    assumeTrue(format.writable(), format.id() + " is read-only in Ferry");
    assumeTrue(engineWrites(format), "the image engine does not write " + format.id() + " yet");
    JobTag tag = new JobTag("job-format-" + format.id());
    CloudPlugin plugin = plugin(format);
    Path disk = TestDisk.write(work.resolve("disk.raw"), 4L << 20, 21);

    String uploadId;
    try (DirectUpload upload = plugin.openDirectUpload(new UploadSpec("formats", 4L << 20, BootMode.UEFI, Architecture.X86_64), tag)) {
      TestDisk.copyInto(disk, upload.writer());
      upload.writer().finish();
      uploadId = upload.uploadId();
    }
    RegisteredImage image =
        plugin.registerImage(
            new RegisterRequest("formats", null, uploadId, BootMode.UEFI, Architecture.X86_64, false, null, null, tag, Map.of()));

    assertThat(plugin.describeImage(image.imageId()).format()).isEqualTo(format);
    try (DiskImageReader reader = plugin.openImage(image.imageId(), tag)) {
      assertThat(reader.format()).isEqualTo(format);
      assertThat(TestDisk.firstDifference(reader, disk)).isEqualTo(-1);
      assertThat(plugin.listImages())
          .as("images while one is open (temporary extracts are not images)")
          .extracting(info -> info.id())
          .containsExactly(image.imageId());
    }
    String qemuFormat = qemuFormat(format);
    if (qemuFormat != null) {
      Path file = Path.of(image.location());
      QemuImg.Result compare = QemuImg.compare(disk, "raw", file, qemuFormat);
      assertThat(compare.exitCode()).as("qemu-img compare: %s", compare.output()).isZero();
      if (!qemuFormat.equals("raw") && !qemuFormat.equals("vpc")) {
        QemuImg.Result check = QemuImg.check(file, qemuFormat);
        assertThat(check.exitCode()).as("qemu-img check: %s", check.output()).isZero();
      }
    }
    assertThat(plugin.deleteTagged(tag, List.of()).complete()).isTrue();
    assertThat(LocalAccounts.leftovers(account, tag)).isEmpty();
  }

  private static boolean engineWrites(DiskFormat format) {
    try {
      return DiskImages.handler(format) != null;
    } catch (FerryException e) {
      return false;
    }
  }

  /**
   * A VMware Workstation split disk dropped into images/ (a descriptor and its extent files) is one
   * image, the descriptor, with the whole disk's size; its extent files are not listed.
   */
  @org.junit.jupiter.api.Test
  void aSplitVmdkIsOneImageNotOnePerExtentFile() throws Exception {
    assumeTrue(QemuImg.available(), "qemu-img is not installed (scripts/test-packages.apt)");
    Path disk = TestDisk.write(work.resolve("disk.raw"), 4L << 20, 5);
    Path images = java.nio.file.Files.createDirectories(account.resolve("images"));
    QemuImg.convert(disk, "raw", images.resolve("workstation.vmdk"), "vmdk", "-o", "subformat=twoGbMaxExtentSparse");
    try (var files = java.nio.file.Files.list(images)) {
      assertThat(files.map(file -> file.getFileName().toString())).contains("workstation-s001.vmdk");
    }
    CloudPlugin plugin = plugin(DiskFormat.QCOW2);
    assertThat(plugin.listImages()).singleElement().satisfies(image -> {
      assertThat(image.id()).isEqualTo("workstation.vmdk");
      assertThat(image.format()).isEqualTo(DiskFormat.VMDK_MONOLITHIC_FLAT);
      assertThat(image.virtualSize()).isEqualTo(4L << 20);
    });
  }

  private static String qemuFormat(DiskFormat format) {
    return switch (format) {
      case RAW -> "raw";
      case QCOW2 -> "qcow2";
      case VMDK_STREAM_OPTIMIZED -> "vmdk";
      case VHD_FIXED, VHD_DYNAMIC -> "vpc";
      default -> null;
    };
  }

  private CloudPlugin plugin(DiskFormat format) {
    return new LocalCloudPluginFactory()
        .create(
            LocalAccounts.config(account, format.id(), null),
            new PluginContext() {
              @Override
              public Clock clock() {
                return Clock.systemUTC();
              }

              @Override
              public Path scratchDirectory() {
                return work;
              }
            });
  }
}
