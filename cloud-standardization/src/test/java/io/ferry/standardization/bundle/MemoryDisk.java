package io.ferry.standardization.bundle;

import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.Extent;
import io.ferry.standardization.image.ExtentType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A small virtual disk in memory, readable and writable, for unit tests. Ranges never written are
 * reported as UNALLOCATED extents in blocks of {@link #BLOCK}.
 */
public final class MemoryDisk implements DiskImageReader, DiskImageWriter {

  static final int BLOCK = 4096;

  private final byte[] content;
  private final boolean[] written;
  private boolean finished;
  private long bytesWritten;

  public MemoryDisk(int size) {
    this.content = new byte[size];
    this.written = new boolean[(size + BLOCK - 1) / BLOCK];
  }

  /** A disk holding {@code content}, all of it allocated. */
  public static MemoryDisk of(byte[] content) {
    MemoryDisk disk = new MemoryDisk(content.length);
    System.arraycopy(content, 0, disk.content, 0, content.length);
    java.util.Arrays.fill(disk.written, true);
    return disk;
  }

  public byte[] content() {
    return content;
  }

  public boolean finished() {
    return finished;
  }

  public long bytesWritten() {
    return bytesWritten;
  }

  @Override
  public DiskFormat format() {
    return DiskFormat.RAW;
  }

  @Override
  public long virtualSize() {
    return content.length;
  }

  @Override
  public Iterator<Extent> extents() {
    List<Extent> extents = new ArrayList<>();
    for (int block = 0; block < written.length; block++) {
      long offset = (long) block * BLOCK;
      long length = Math.min(BLOCK, content.length - offset);
      extents.add(new Extent(offset, length, written[block] ? ExtentType.DATA : ExtentType.UNALLOCATED));
    }
    return extents.iterator();
  }

  @Override
  public void read(long offset, ByteBuffer destination) {
    destination.put(content, (int) offset, destination.remaining());
  }

  @Override
  public void write(long offset, ByteBuffer data) {
    int length = data.remaining();
    data.get(content, (int) offset, length);
    for (long block = offset / BLOCK; block * BLOCK < offset + length; block++) {
      written[(int) block] = true;
    }
    bytesWritten += length;
  }

  @Override
  public void finish() {
    finished = true;
  }

  @Override
  public void close() {}
}
