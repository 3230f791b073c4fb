package io.ferry.standardization.bundle.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.standardization.bundle.BundleManifest.FileSystem;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Superblocks built by hand, for the kinds the integration tests cannot make here. */
class FileSystemDetectorTest {

  @Test
  void extIsToldApartByFeatureFlags() {
    assertThat(ext(0, 0x2, 0x1).type()).isEqualTo("ext2");
    assertThat(ext(0x4, 0x2, 0x1).type()).isEqualTo("ext3");
    assertThat(ext(0x4, 0x2 | 0x40, 0x1).type()).isEqualTo("ext4"); // extents
    assertThat(ext(0x4, 0x2, 0x1 | 0x400).type()).isEqualTo("ext4"); // metadata_csum
  }

  @Test
  void lvmPhysicalVolumesAreRecognisedByTheirLabel() {
    ByteBuffer head = empty();
    put(head, 512, "LABELONE");
    put(head, 512 + 24, "LVM2 001");
    put(head, 512 + 32, "abcdefghijklmnopqrstuvwxyz012345");
    FileSystem found = FileSystemDetector.detect(head).orElseThrow();
    assertThat(found.type()).isEqualTo("LVM2_member");
    assertThat(found.uuid()).isEqualTo("abcdef-ghij-klmn-opqr-stuv-wxyz-012345");
  }

  @Test
  void ntfsIsRecognisedWithItsSerial() {
    ByteBuffer head = empty();
    put(head, 3, "NTFS    ");
    head.putLong(0x48, 0x0123456789ABCDEFL);
    head.putShort(510, (short) 0xAA55);
    assertThat(FileSystemDetector.detect(head)).contains(new FileSystem("ntfs", null, "0123456789ABCDEF", null));
  }

  @Test
  void zerosAndShortInputAreNothing() {
    assertThat(FileSystemDetector.detect(empty())).isEmpty();
    assertThat(FileSystemDetector.detect(ByteBuffer.allocate(10))).isEmpty();
    assertThat(FileSystemDetector.detect(ByteBuffer.allocate(0))).isEqualTo(Optional.empty());
  }

  private static FileSystem ext(int compatible, int incompatible, int readOnly) {
    ByteBuffer head = empty();
    head.putShort(1024 + 0x38, (short) 0xEF53);
    head.putInt(1024 + 0x5C, compatible);
    head.putInt(1024 + 0x60, incompatible);
    head.putInt(1024 + 0x64, readOnly);
    head.put(1024 + 0x68, (byte) 1);
    put(head, 1024 + 0x78, "label");
    FileSystem found = FileSystemDetector.detect(head).orElseThrow();
    assertThat(found.label()).isEqualTo("label");
    assertThat(found.uuid()).startsWith("01000000-");
    return found;
  }

  private static ByteBuffer empty() {
    return ByteBuffer.allocate(FileSystemDetector.PROBE_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static void put(ByteBuffer buffer, int offset, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    for (int index = 0; index < bytes.length; index++) {
      buffer.put(offset + index, bytes[index]);
    }
  }
}
