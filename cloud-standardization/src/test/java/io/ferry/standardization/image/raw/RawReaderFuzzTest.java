package io.ferry.standardization.image.raw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.ProgressListener;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.DiskImages;
import io.ferry.standardization.image.FuzzFiles;
import io.ferry.standardization.image.WriteOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Arbitrary bytes as a raw disk: detection must not fail, the raw reader must return exactly the
 * file's bytes, refuse reads outside the disk with INVALID_REQUEST, and a round trip through
 * Ferry's qcow2 writer and reader (with small clusters, compressed or not) must give the same
 * bytes back.
 */
class RawReaderFuzzTest {

  private static final Path RAW = FuzzFiles.scratch("input.raw");
  private static final Path QCOW2 = FuzzFiles.scratch("output.qcow2");

  @FuzzTest(maxDuration = "3s")
  void fuzzRawRoundTrip(byte[] input) throws IOException {
    Files.write(RAW, input);
    DiskFormat detected = DiskImages.detect(RAW);
    assertThat(detected).isNotNull();
    boolean compressed = input.length > 0 && (input[0] & 1) == 1;
    try (DiskImageReader reader = new RawFormatHandler().open(RAW)) {
      assertThat(reader.virtualSize()).isEqualTo(input.length);
      ByteBuffer all = ByteBuffer.allocate(input.length);
      reader.read(0, all);
      assertThat(all.array()).isEqualTo(input);
      assertThatThrownBy(() -> reader.read(input.length - 1L, ByteBuffer.allocate(2)))
          .isInstanceOf(FerryException.class)
          .satisfies(e -> assertThat(((FerryException) e).code()).isEqualTo(ErrorCode.INVALID_REQUEST));
      WriteOptions options = WriteOptions.DEFAULTS.withClusterSize(512).withCompressed(compressed);
      try (DiskImageWriter writer = DiskImages.create(QCOW2, DiskFormat.QCOW2, input.length, options)) {
        DiskImages.convert(reader, writer, ProgressListener.NONE);
      }
    }
    try (DiskImageReader back = DiskImages.open(QCOW2)) {
      assertThat(back.format()).isEqualTo(DiskFormat.QCOW2);
      ByteBuffer all = ByteBuffer.allocate(input.length);
      back.read(0, all);
      assertThat(Arrays.equals(all.array(), input)).isTrue();
    }
  }
}
