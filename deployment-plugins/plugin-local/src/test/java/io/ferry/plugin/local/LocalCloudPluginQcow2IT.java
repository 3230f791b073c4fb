package io.ferry.plugin.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.plugin.tck.SeedImage;
import io.ferry.plugin.tck.TestDisk;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.QemuImg;
import io.ferry.standardization.spi.ImageInfo;
import io.ferry.standardization.spi.RegisteredImage;
import io.ferry.standardization.spi.VolumeRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;

/**
 * The plugin contract for a local account that registers qcow2 images (the default), with
 * seeded images made by qemu-img, and qemu-img as the oracle for what the account writes.
 */
class LocalCloudPluginQcow2IT extends LocalCloudPluginIT {

  @Override
  protected String format() {
    return "qcow2";
  }

  @Override
  protected String seedImage(SeedImage image) throws Exception {
    return LocalAccounts.seedConverted(account, image, "qcow2");
  }

  @Test
  void registeredUploadIsACleanQcow2WithTheSameContent() throws Exception {
    Path disk = TestDisk.write(tckDirectory.resolve("qcow2-upload.raw"), testDiskSize(), 11);
    RegisteredImage image = uploadAndRegister("qcow2-upload", disk);
    Path file = Path.of(image.location());

    assertThat(image.imageId()).endsWith(".qcow2");
    assertThat(plugin.describeImage(image.imageId()).format()).isEqualTo(DiskFormat.QCOW2);
    assertThat(QemuImg.info(file).path("format").asText()).isEqualTo("qcow2");
    QemuImg.Result check = QemuImg.check(file, "qcow2");
    assertThat(check.exitCode()).as("qemu-img check: %s", check.output()).isZero();
    QemuImg.Result compare = QemuImg.compare(disk, "raw", file, "qcow2");
    assertThat(compare.exitCode()).as("qemu-img compare: %s", compare.output()).isZero();
  }

  @Test
  void imageRegisteredFromAVolumeIsACleanQcow2() throws Exception {
    Path disk = TestDisk.write(tckDirectory.resolve("qcow2-volume.raw"), testDiskSize(), 12);
    VolumeRef volume = plugin.createVolume(testDiskSize(), tag);
    Files.copy(disk, account.resolve("volumes").resolve(volume.id()), StandardCopyOption.REPLACE_EXISTING);

    RegisteredImage image = plugin.registerImage(registerRequest("qcow2-volume", volume.id()));
    Path file = Path.of(image.location());

    QemuImg.Result check = QemuImg.check(file, "qcow2");
    assertThat(check.exitCode()).as("qemu-img check: %s", check.output()).isZero();
    assertThat(QemuImg.compare(disk, "raw", file, "qcow2").exitCode()).isZero();
    ImageInfo info = plugin.describeImage(image.imageId());
    assertThat(info.virtualSize()).isEqualTo(testDiskSize());
  }
}
