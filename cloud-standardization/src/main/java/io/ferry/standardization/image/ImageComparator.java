package io.ferry.standardization.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Iterator;
import java.util.OptionalLong;

/**
 * Compares the contents of two virtual disks of any formats, like {@code qemu-img compare}: ranges
 * that neither image holds data for are skipped without reading; when the sizes differ, the extra
 * part of the larger disk must read as zeros.
 */
public final class ImageComparator {

  private static final int BLOCK = 1 << 20;

  private ImageComparator() {}

  /** The first virtual offset at which the disks differ, or empty when they are identical. */
  public static OptionalLong firstDifference(DiskImageReader first, DiskImageReader second)
      throws IOException {
    DataCursor firstData = new DataCursor(first.extents());
    DataCursor secondData = new DataCursor(second.extents());
    long common = Math.min(first.virtualSize(), second.virtualSize());
    long end = Math.max(first.virtualSize(), second.virtualSize());
    ByteBuffer a = ByteBuffer.allocate(BLOCK);
    ByteBuffer b = ByteBuffer.allocate(BLOCK);
    long offset = 0;
    while (offset < end) {
      // Blocks never straddle the end of the smaller disk.
      long limit = Math.min(offset + BLOCK, offset < common ? common : end);
      int length = (int) (limit - offset);
      boolean firstHasData = offset < first.virtualSize() && firstData.hasData(offset, limit);
      boolean secondHasData = offset < second.virtualSize() && secondData.hasData(offset, limit);
      if (firstHasData || secondHasData) {
        readOrZero(first, firstHasData, offset, a, length);
        readOrZero(second, secondHasData, offset, b, length);
        int mismatch = Arrays.mismatch(a.array(), 0, length, b.array(), 0, length);
        if (mismatch >= 0) {
          return OptionalLong.of(offset + mismatch);
        }
      }
      offset = limit;
    }
    return OptionalLong.empty();
  }

  /** Walks an extent map forward, answering whether a range holds any DATA extent. */
  private static final class DataCursor {
    private final Iterator<Extent> extents;
    private Extent current;

    DataCursor(Iterator<Extent> extents) {
      this.extents = extents;
    }

    boolean hasData(long start, long end) {
      while (true) {
        while (current == null || current.end() <= start) {
          if (!extents.hasNext()) {
            return false;
          }
          current = extents.next();
        }
        if (current.offset() >= end) {
          return false;
        }
        if (current.type().holdsData()) {
          return true;
        }
        if (current.end() >= end) {
          return false;
        }
        start = current.end();
      }
    }
  }

  private static void readOrZero(
      DiskImageReader reader, boolean hasData, long offset, ByteBuffer buffer, int length)
      throws IOException {
    buffer.clear().limit(length);
    if (hasData) {
      reader.read(offset, buffer);
    } else {
      Arrays.fill(buffer.array(), 0, length, (byte) 0);
    }
  }
}
