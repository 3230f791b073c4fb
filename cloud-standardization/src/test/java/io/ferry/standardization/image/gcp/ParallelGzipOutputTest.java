package io.ferry.standardization.image.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class ParallelGzipOutputTest {

  @Test
  void producesOneGzipMemberThatInflatesToTheInput() throws Exception {
    byte[] data = new byte[5 * ParallelGzipOutput.CHUNK + 12345];
    Random random = new Random(5);
    random.nextBytes(data);
    Arrays.fill(data, 100, 3 * ParallelGzipOutput.CHUNK, (byte) 0); // zero chunks in the middle
    for (int index = 0; index < ParallelGzipOutput.CHUNK; index++) {
      data[4 * ParallelGzipOutput.CHUNK + index] = (byte) ('a' + index % 7);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ParallelGzipOutput gzip = new ParallelGzipOutput(out, 2, 1);
    gzip.write(ByteBuffer.wrap(data, 0, 100));
    gzip.writeZeros(3L * ParallelGzipOutput.CHUNK - 100);
    gzip.write(ByteBuffer.wrap(data, 3 * ParallelGzipOutput.CHUNK, data.length - 3 * ParallelGzipOutput.CHUNK));
    gzip.finish();

    byte[] compressed = out.toByteArray();
    assertThat(compressed.length).isLessThan(data.length / 2);
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
      assertThat(in.readAllBytes()).isEqualTo(data); // GZIPInputStream verifies CRC and size
    }
  }

  @Test
  void compressesNothingToAValidEmptyMember() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ParallelGzipOutput gzip = new ParallelGzipOutput(out, 1, 6);
    gzip.finish();
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(out.toByteArray()))) {
      assertThat(in.readAllBytes()).isEmpty();
    }
  }
}
