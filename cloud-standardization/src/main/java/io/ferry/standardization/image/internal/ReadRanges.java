package io.ferry.standardization.image.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;

/** The range check every reader's {@code read} starts with. */
public final class ReadRanges {

  private ReadRanges() {}

  /**
   * Checks that {@code length} bytes at {@code offset} lie inside a disk of {@code virtualSize}
   * bytes.
   *
   * @throws FerryException INVALID_REQUEST, {@code "<format>: read of ... outside the disk of ..."}
   */
  public static void check(String format, long offset, long length, long virtualSize) {
    if (offset < 0 || offset > virtualSize || length > virtualSize - offset) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST,
          format + ": read of " + length + " bytes at " + offset + " outside the disk of " + virtualSize + " bytes");
    }
  }
}
