package io.ferry.standardization.image.internal;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** Fast all-zero checks. */
public final class Zeros {

  private static final byte[] ZEROS = new byte[64 * 1024];

  private Zeros() {}

  /** Whether {@code length} bytes of {@code bytes} from {@code offset} are all zero. */
  public static boolean isZero(byte[] bytes, int offset, int length) {
    int position = offset;
    int end = offset + length;
    while (position < end) {
      int count = Math.min(ZEROS.length, end - position);
      if (Arrays.mismatch(bytes, position, position + count, ZEROS, 0, count) >= 0) {
        return false;
      }
      position += count;
    }
    return true;
  }

  /** Whether the remaining bytes of {@code buffer} are all zero; the position is not moved. */
  public static boolean isZero(ByteBuffer buffer) {
    if (buffer.hasArray()) {
      return isZero(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
    }
    ByteBuffer view = buffer.duplicate();
    while (view.remaining() >= Long.BYTES) {
      if (view.getLong() != 0) {
        return false;
      }
    }
    while (view.hasRemaining()) {
      if (view.get() != 0) {
        return false;
      }
    }
    return true;
  }
}
