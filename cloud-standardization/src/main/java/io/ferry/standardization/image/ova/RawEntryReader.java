package io.ferry.standardization.image.ova;

import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.Extent;
import io.ferry.standardization.image.internal.FileWindow;
import io.ferry.standardization.image.internal.ReadRanges;
import io.ferry.standardization.image.internal.SparseFileMap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Iterator;

/**
 * A raw disk stored as an OVA's disk file (as oVirt exports raw volumes): the entry's bytes are
 * the disk. A tar entry has no holes to ask for, so the disk is one DATA extent and conversions
 * skip its zero blocks. The OVA reader closes the file.
 */
final class RawEntryReader implements DiskImageReader {

  private final FileWindow window;

  RawEntryReader(FileWindow window) {
    this.window = window;
  }

  @Override
  public DiskFormat format() {
    return DiskFormat.RAW;
  }

  @Override
  public long virtualSize() {
    return window.length();
  }

  @Override
  public Iterator<Extent> extents() {
    return SparseFileMap.allData(window.length());
  }

  @Override
  public void read(long offset, ByteBuffer destination) throws IOException {
    ReadRanges.check("OVA raw disk", offset, destination.remaining(), window.length());
    window.readFully("raw disk", offset, destination);
  }

  @Override
  public void close() {}
}
