package io.ferry.standardization.image.vhd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.nio.ByteBuffer;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class VhdFooterTest {

  @Test
  void encodesAFooterThatParsesBackWithAValidChecksum() {
    ByteBuffer bytes = VhdFooter.encode(512, 30L << 30, VhdFooter.TYPE_DYNAMIC, new UUID(1, 2), 1_700_000_000L);
    VhdFooter footer = VhdFooter.parse(bytes, 0);
    assertThat(footer.currentSize()).isEqualTo(30L << 30);
    assertThat(footer.originalSize()).isEqualTo(30L << 30);
    assertThat(footer.dataOffset()).isEqualTo(512);
    assertThat(footer.diskType()).isEqualTo(VhdFooter.TYPE_DYNAMIC);
    assertThat(footer.creatorApplication()).isEqualTo("win ");
    assertThat(footer.geometry()).isEqualTo(VhdFooter.geometry(30L << 30));
  }

  @Test
  void aChangedByteBreaksTheChecksum() {
    ByteBuffer bytes = VhdFooter.encode(-1, 1 << 20, VhdFooter.TYPE_FIXED, new UUID(1, 2), 0);
    bytes.put(200, (byte) 1);
    assertThatThrownBy(() -> VhdFooter.parse(bytes, 4096))
        .isInstanceOfSatisfying(FerryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.IMAGE_CORRUPT))
        .hasMessageContaining("footer at offset 4096 has checksum");
  }

  @Test
  void geometryFollowsTheSpecification() {
    // Above 65535 * 16 * 63 sectors: 255 sectors per track and 16 heads; capped at 65535 cylinders.
    assertThat(VhdFooter.geometry(2040L << 30)).isEqualTo((65535 << 16) | (16 << 8) | 255);
    // 1 MiB: 2048 sectors, 17 sectors per track, 4 heads, 30 cylinders.
    assertThat(VhdFooter.geometry(1L << 20)).isEqualTo((30 << 16) | (4 << 8) | 17);
    // 127 GiB: 266338304 sectors / 255 = 1044463 cylinder-heads, / 16 heads = 65278 cylinders.
    assertThat(VhdFooter.geometry(127L << 30)).isEqualTo((65278 << 16) | (16 << 8) | 255);
  }
}
