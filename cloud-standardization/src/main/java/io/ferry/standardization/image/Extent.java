package io.ferry.standardization.image;

/** A contiguous range of a virtual disk and what it holds. */
public record Extent(long offset, long length, ExtentType type) {

  public Extent {
    if (offset < 0 || length <= 0) {
      throw new IllegalArgumentException("bad extent: offset=" + offset + " length=" + length);
    }
  }

  /** The first byte after this extent. */
  public long end() {
    return offset + length;
  }
}
