package io.ferry.standardization.image.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class Crc32CombinationTest {

  @Test
  void combinesTheCrcsOfTwoPartsIntoTheCrcOfTheWhole() {
    Random random = new Random(3);
    for (int round = 0; round < 50; round++) {
      byte[] data = new byte[random.nextInt(5000) + 1];
      random.nextBytes(data);
      int split = random.nextInt(data.length + 1);
      int whole = crc(data, 0, data.length);
      int combined =
          new Crc32Combination(data.length - split)
              .combine(crc(data, 0, split), crc(data, split, data.length - split));
      assertThat(combined).isEqualTo(whole);
    }
  }

  @Test
  void appendsLongRunsOfZeros() {
    byte[] data = new byte[3 * 1024 * 1024 + 17];
    new Random(4).nextBytes(data);
    java.util.Arrays.fill(data, 1000, data.length, (byte) 0);
    int zerosLength = data.length - 1000;
    int zerosCrc = crc(new byte[zerosLength], 0, zerosLength);
    assertThat(new Crc32Combination(zerosLength).combine(crc(data, 0, 1000), zerosCrc))
        .isEqualTo(crc(data, 0, data.length));
  }

  @Test
  void anEmptySecondPartChangesNothing() {
    assertThat(new Crc32Combination(0).combine(0x12345678, 0)).isEqualTo(0x12345678);
  }

  private static int crc(byte[] data, int offset, int length) {
    CRC32 crc = new CRC32();
    crc.update(data, offset, length);
    return (int) crc.getValue();
  }
}
