package io.ferry.standardization.image.internal;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** Fast all-zero checks. */
public final class Zeros {

  private static final byte[] ZEROS = new byte[64 * 1024];
  private static final ByteBuffer DIRECT_ZEROS =
      ByteBuffer.allocateDirect(ZEROS.length).asReadOnlyBuffer();

  private Zeros() {}

  /** Writes {@code length} zero bytes into {@code buffer} at its position and advances it. */
  public static void fill(ByteBuffer buffer, int length) {
    if (buffer.hasArray()) {
      int start = buffer.arrayOffset() + buffer.position();
      Arrays.fill(buffer.array(), start, start + length, (byte) 0);
      buffer.position(buffer.position() + length);
      return;
    }
    int remaining = length;
    while (remaining > 0) {
      int count = Math.min(ZEROS.length, remaining);
      buffer.put(ZEROS, 0, count);
      remaining -= count;
    }
  }

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
    // ByteBuffer.mismatch is vectorized for direct buffers too.
    int position = buffer.position();
    int end = buffer.limit();
    while (position < end) {
      int count = Math.min(ZEROS.length, end - position);
      if (buffer.slice(position, count).mismatch(DIRECT_ZEROS.slice(0, count)) >= 0) {
        return false;
      }
      position += count;
    }
    return true;
  }
}
