package io.ferry.standardization.bundle.internal;

import io.ferry.standardization.image.Extent;
import java.util.Iterator;

/**
 * Walks a reader's extent map alongside ascending chunk ranges and tells whether a range overlaps
 * any DATA extent (ranges that are only ZERO or UNALLOCATED are never read).
 */
public final class ExtentCursor {

  private final Iterator<Extent> extents;
  private Extent current;

  public ExtentCursor(Iterator<Extent> extents) {
    this.extents = extents;
    this.current = extents.hasNext() ? extents.next() : null;
  }

  /** Whether {@code [start, end)} overlaps a DATA extent. Calls must ascend. */
  public boolean holdsData(long start, long end) {
    while (current != null && current.end() <= start) {
      current = extents.hasNext() ? extents.next() : null;
    }
    Extent probe = current;
    if (probe == null) {
      return true; // a map that ends early: read to be safe
    }
    while (probe.offset() < end) {
      if (probe.type().holdsData()) {
        return true;
      }
      if (probe.end() >= end) {
        return false;
      }
      if (!extents.hasNext()) {
        return true;
      }
      probe = extents.next();
      current = probe;
    }
    return false;
  }
}
