package io.ferry.standardization.image.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.Test;

class IncompressibleTest {

  private static final int GRAIN = 64 * 1024;

  @Test
  void randomBytesAndDeflatedDataLookIncompressible() throws Exception {
    assertThat(Incompressible.looksIncompressible(random(GRAIN, 1), GRAIN)).isTrue();
    byte[] deflated = deflate(text(4 * GRAIN));
    assertThat(deflated.length).isGreaterThan(GRAIN);
    assertThat(Incompressible.looksIncompressible(deflated, GRAIN)).isTrue();
  }

  @Test
  void textZerosAndSmallBlocksDoNot() {
    assertThat(Incompressible.looksIncompressible(text(GRAIN), GRAIN)).isFalse();
    assertThat(Incompressible.looksIncompressible(new byte[GRAIN], GRAIN)).isFalse();
    assertThat(Incompressible.looksIncompressible(random(4096, 2), 4096)).isFalse();
  }

  @Test
  void aCompressibleRegionAnywhereInTheBlockKeepsItCompressed() {
    byte[] randomThenText = random(GRAIN, 3);
    System.arraycopy(text(GRAIN / 2), 0, randomThenText, GRAIN / 2, GRAIN / 2);
    assertThat(Incompressible.looksIncompressible(randomThenText, GRAIN)).isFalse();

    byte[] textThenRandom = random(GRAIN, 4);
    System.arraycopy(text(GRAIN / 8), 0, textThenRandom, 0, GRAIN / 8);
    assertThat(Incompressible.looksIncompressible(textThenRandom, GRAIN)).isFalse();
  }

  @Test
  void repeatsThatDeflateWouldFindKeepTheBlockCompressed() {
    // Random bytes where the fourth 4 KiB piece repeats the first: high entropy and a random head,
    // but deflate finds the repeat 12 KiB back and saves a sixteenth.
    byte[] repeated = random(GRAIN, 5);
    System.arraycopy(repeated, 0, repeated, 3 * 4096, 4096);
    assertThat(Incompressible.sampledEntropy(repeated, GRAIN)).isGreaterThan(7.9);
    assertThat(deflatedSize(repeated, 1)).isLessThan(GRAIN - GRAIN / 20);
    assertThat(Incompressible.looksIncompressible(repeated, GRAIN)).isFalse();

    // 8 KiB of random bytes, eight times: LZ77 finds every repeat.
    byte[] piece = random(8192, 8);
    byte[] periodic = new byte[GRAIN];
    for (int at = 0; at < GRAIN; at += piece.length) {
      System.arraycopy(piece, 0, periodic, at, piece.length);
    }
    assertThat(Incompressible.looksIncompressible(periodic, GRAIN)).isFalse();

    // A counting pattern: every byte value equally often (entropy 8), a period of 256 bytes.
    byte[] counting = new byte[GRAIN];
    for (int index = 0; index < GRAIN; index++) {
      counting[index] = (byte) (index * 7 + index / 4099);
    }
    assertThat(Incompressible.looksIncompressible(counting, GRAIN)).isFalse();
  }

  @Test
  void storedBlocksAreNoLargerThanDeflatingIncompressibleData() {
    byte[] data = random(GRAIN, 6);
    assertThat(deflatedSize(data, Deflater.NO_COMPRESSION)).isLessThanOrEqualTo(deflatedSize(data, 1));
  }

  private static int deflatedSize(byte[] data, int level) {
    Deflater deflater = new Deflater(level);
    deflater.setInput(data);
    deflater.finish();
    byte[] output = new byte[data.length * 2];
    int size = 0;
    while (!deflater.finished()) {
      size += deflater.deflate(output, size, output.length - size);
    }
    deflater.end();
    return size;
  }

  private static byte[] random(int length, long seed) {
    byte[] bytes = new byte[length];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static byte[] text(int length) {
    StringBuilder builder = new StringBuilder();
    Random random = new Random(7);
    String[] words = {"ferry", "moves", "disk", "images", "between", "clouds", "root", "grain", "table"};
    while (builder.length() < length) {
      builder.append(words[random.nextInt(words.length)]).append(random.nextInt(1000)).append(' ');
    }
    return builder.substring(0, length).getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] deflate(byte[] data) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DeflaterOutputStream out = new DeflaterOutputStream(bytes, new Deflater(9))) {
      out.write(data);
    }
    return bytes.toByteArray();
  }
}
