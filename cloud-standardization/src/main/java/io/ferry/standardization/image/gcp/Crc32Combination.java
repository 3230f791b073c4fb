package io.ferry.standardization.image.gcp;

/**
 * Combines CRC-32 values (the gzip polynomial) without the data: the CRC of A followed by B from
 * the CRC of A, the CRC of B and the length of B. CRC-32 is linear over GF(2), so appending
 * {@code n} bytes multiplies the CRC of A by a fixed 32x32 bit matrix (the operator for n zero
 * bytes); the matrix for a length is built by repeated squaring of the operator for one zero bit.
 * Lets parallel compressors checksum their own chunks and lets runs of zeros cost nothing.
 */
final class Crc32Combination {

  private static final int REFLECTED_POLYNOMIAL = 0xEDB88320;

  private final int[] operator;

  /** The combination for a second part of {@code length} bytes. */
  Crc32Combination(long length) {
    this.operator = zerosOperator(length);
  }

  /** The CRC-32 of A followed by B, given {@code crcA}, {@code crcB} and this B length. */
  int combine(int crcA, int crcB) {
    return times(operator, crcA) ^ crcB;
  }

  private static int times(int[] matrix, int vector) {
    int sum = 0;
    int bits = vector;
    for (int index = 0; bits != 0; index++, bits >>>= 1) {
      if ((bits & 1) != 0) {
        sum ^= matrix[index];
      }
    }
    return sum;
  }

  /** The matrix that applies {@code first} after {@code second}. */
  private static int[] compose(int[] first, int[] second) {
    int[] result = new int[32];
    for (int index = 0; index < 32; index++) {
      result[index] = times(first, second[index]);
    }
    return result;
  }

  private static int[] zerosOperator(long length) {
    int[] power = new int[32]; // the operator for one zero bit
    power[0] = REFLECTED_POLYNOMIAL;
    for (int index = 1; index < 32; index++) {
      power[index] = 1 << (index - 1);
    }
    power = compose(power, power); // two bits
    power = compose(power, power); // four bits
    power = compose(power, power); // one byte
    int[] result = new int[32];
    for (int index = 0; index < 32; index++) {
      result[index] = 1 << index; // identity
    }
    for (long remaining = length; remaining != 0; remaining >>>= 1) {
      if ((remaining & 1) != 0) {
        result = compose(power, result);
      }
      power = compose(power, power);
    }
    return result;
  }
}
