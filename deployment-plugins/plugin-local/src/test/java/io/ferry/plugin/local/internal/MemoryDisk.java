package io.ferry.plugin.local.internal;

import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.Extent;
import io.ferry.standardization.image.ExtentType;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.List;

/** A hand-written fake: a small disk held in a byte array. */
final class MemoryDisk implements DiskImageReader {

  final byte[] bytes;

  MemoryDisk(int size) {
    this.bytes = new byte[size];
  }

  @Override
  public DiskFormat format() {
    return DiskFormat.RAW;
  }

  @Override
  public long virtualSize() {
    return bytes.length;
  }

  @Override
  public Iterator<Extent> extents() {
    return List.of(new Extent(0, bytes.length, ExtentType.DATA)).iterator();
  }

  @Override
  public void read(long offset, ByteBuffer destination) {
    destination.put(bytes, (int) offset, destination.remaining());
  }

  @Override
  public void close() {}
}
