package io.ferry.plugin.local.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

class IoErrorsTest {

  @Test
  void fullFileSystemIsNoSpace() {
    FerryException error = IoErrors.translate("writing x", new IOException("No space left on device"));
    assertThat(error.code()).isEqualTo(ErrorCode.NO_SPACE);
    assertThat(error.getMessage()).contains("writing x");
    assertThat(IoErrors.translate("w", new IOException("Disk quota exceeded")).code()).isEqualTo(ErrorCode.NO_SPACE);
  }

  @Test
  void noSpaceIsFoundAmongCauses() {
    IOException wrapped = new IOException("write failed", new UncheckedIOException(new IOException("No space left on device")));
    assertThat(IoErrors.translate("writing", wrapped).code()).isEqualTo(ErrorCode.NO_SPACE);
  }

  @Test
  void ferryExceptionAmongCausesIsKept() {
    FerryException corrupt = new FerryException(ErrorCode.IMAGE_CORRUPT, "bad L2 table at 0x30000");
    assertThat(IoErrors.translate("reading", new IOException("wrapped", corrupt))).isSameAs(corrupt);
  }

  @Test
  void otherFailuresKeepTheirKind() {
    assertThat(IoErrors.translate("x", new AccessDeniedException("/a")).code()).isEqualTo(ErrorCode.HOST_OPERATION_FAILED);
    assertThat(IoErrors.translate("x", new NoSuchFileException("/a")).code()).isEqualTo(ErrorCode.NOT_FOUND);
    FerryException other = IoErrors.translate("x", new IOException("Input/output error"));
    assertThat(other.code()).isEqualTo(ErrorCode.IO_ERROR);
    assertThat(other.retryable()).isTrue();
  }
}
