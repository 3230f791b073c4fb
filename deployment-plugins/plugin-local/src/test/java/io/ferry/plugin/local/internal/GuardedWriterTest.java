package io.ferry.plugin.local.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class GuardedWriterTest {

  /** A fake writer whose writes fail as a full file system does, after {@code budget} bytes. */
  private static final class FillingWriter implements DiskImageWriter {
    private long budget;

    FillingWriter(long budget) {
      this.budget = budget;
    }

    @Override
    public DiskFormat format() {
      return DiskFormat.QCOW2;
    }

    @Override
    public long virtualSize() {
      return 1 << 20;
    }

    @Override
    public void write(long offset, ByteBuffer data) throws IOException {
      if (data.remaining() > budget) {
        throw new IOException("No space left on device");
      }
      budget -= data.remaining();
      data.position(data.limit());
    }

    @Override
    public void finish() {}

    @Override
    public void close() {}
  }

  @Test
  void fullFileSystemBecomesNoSpaceNamingTheOffset() throws Exception {
    GuardedWriter writer = new GuardedWriter(new FillingWriter(4096), "upload u-1");
    writer.write(0, ByteBuffer.allocate(4096));

    assertThatThrownBy(() -> writer.write(4096, ByteBuffer.allocate(4096)))
        .isInstanceOfSatisfying(FerryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NO_SPACE))
        .hasMessageContaining("upload u-1")
        .hasMessageContaining("offset 4096");
    assertThat(writer.finished()).isFalse();
  }

  @Test
  void finishedIsRememberedAndFormatPassedThrough() throws Exception {
    GuardedWriter writer = new GuardedWriter(new FillingWriter(0), "upload u-2");
    assertThat(writer.format()).isEqualTo(DiskFormat.QCOW2);
    assertThat(writer.virtualSize()).isEqualTo(1 << 20);
    writer.finish();
    assertThat(writer.finished()).isTrue();
  }
}
