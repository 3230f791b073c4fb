package io.ferry.standardization.image.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.DiskImages;
import io.ferry.standardization.image.QemuImg;
import io.ferry.standardization.image.WriteOptions;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The qcow2 writer's contract beyond what the oracle matrix covers. */
class Qcow2WriterIT {

  @TempDir Path directory;

  @Test
  void partialWritesIntoOneClusterKeepTheGapsZero() throws Exception {
    Path image = directory.resolve("partial.qcow2");
    byte[] first = filled(100, (byte) 1);
    byte[] second = filled(70_000, (byte) 2); // runs on into the next cluster
    try (DiskImageWriter writer = DiskImages.create(image, DiskFormat.QCOW2, 1 << 20, WriteOptions.DEFAULTS)) {
      writer.write(0, ByteBuffer.wrap(first));
      writer.write(300, ByteBuffer.wrap(second));
      writer.finish();
    }
    byte[] expected = new byte[1 << 20];
    System.arraycopy(first, 0, expected, 0, first.length);
    System.arraycopy(second, 0, expected, 300, second.length);
    assertThat(readAll(image)).isEqualTo(expected);
    if (QemuImg.available()) {
      assertThat(QemuImg.check(image, "qcow2").exitCode()).isZero();
    }
  }

  @Test
  void oddVirtualSizesAreRoundedUpToWholeSectors() throws Exception {
    Path image = directory.resolve("odd.qcow2");
    byte[] data = new byte[1000];
    new Random(1).nextBytes(data);
    try (DiskImageWriter writer = DiskImages.create(image, DiskFormat.QCOW2, 1000, WriteOptions.DEFAULTS)) {
      assertThat(writer.virtualSize()).isEqualTo(1024);
      writer.write(0, ByteBuffer.wrap(data));
      writer.finish();
    }
    assertThat(readAll(image)).isEqualTo(Arrays.copyOf(data, 1024));
  }

  @Test
  void writesThatGoBackwardsAreRefused() throws Exception {
    try (DiskImageWriter writer =
        DiskImages.create(directory.resolve("back.qcow2"), DiskFormat.QCOW2, 1 << 20, WriteOptions.DEFAULTS)) {
      writer.write(8192, ByteBuffer.wrap(filled(10, (byte) 1)));
      assertThatThrownBy(() -> writer.write(4096, ByteBuffer.wrap(filled(10, (byte) 1))))
          .isInstanceOf(FerryException.class)
          .satisfies(e -> assertThat(((FerryException) e).code()).isEqualTo(ErrorCode.INVALID_REQUEST));
      assertThatThrownBy(() -> writer.write((1 << 20) - 5, ByteBuffer.wrap(filled(10, (byte) 1))))
          .isInstanceOf(FerryException.class)
          .hasMessageContaining("past the disk end");
    }
  }

  @Test
  void anUnfinishedImageLeavesNothingBehind() throws Exception {
    Path image = directory.resolve("unfinished.qcow2");
    try (DiskImageWriter writer = DiskImages.create(image, DiskFormat.QCOW2, 1 << 20, WriteOptions.DEFAULTS)) {
      writer.write(0, ByteBuffer.wrap(filled(200_000, (byte) 7)));
    }
    try (var files = Files.list(directory)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void durableOutputIsComplete() throws Exception {
    Path image = directory.resolve("durable.qcow2");
    try (DiskImageWriter writer =
        DiskImages.create(image, DiskFormat.QCOW2, 1 << 20, WriteOptions.DEFAULTS.withDurable(true))) {
      writer.write(65536, ByteBuffer.wrap(filled(512, (byte) 9)));
      writer.finish();
    }
    byte[] content = readAll(image);
    assertThat(content[65536]).isEqualTo((byte) 9);
    assertThat(content[65536 + 512]).isZero();
  }

  private static byte[] filled(int length, byte value) {
    byte[] bytes = new byte[length];
    Arrays.fill(bytes, value);
    return bytes;
  }

  private static byte[] readAll(Path image) throws Exception {
    try (DiskImageReader reader = DiskImages.open(image)) {
      ByteBuffer buffer = ByteBuffer.allocate((int) reader.virtualSize());
      reader.read(0, buffer);
      return buffer.array();
    }
  }
}
