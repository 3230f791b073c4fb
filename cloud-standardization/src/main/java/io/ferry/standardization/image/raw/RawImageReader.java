package io.ferry.standardization.image.raw;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.Extent;
import io.ferry.standardization.image.ExtentType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * Reads a raw file. Java cannot ask the file system for holes (no SEEK_DATA), so the whole file
 * is one DATA extent; conversions skip its zero blocks.
 */
final class RawImageReader implements DiskImageReader {

  private final FileChannel channel;
  private final long size;

  private RawImageReader(FileChannel channel, long size) {
    this.channel = channel;
    this.size = size;
  }

  static RawImageReader open(Path path) throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      return new RawImageReader(channel, channel.size());
    } catch (RuntimeException | IOException e) {
      channel.close();
      throw e;
    }
  }

  @Override
  public DiskFormat format() {
    return DiskFormat.RAW;
  }

  @Override
  public long virtualSize() {
    return size;
  }

  @Override
  public Iterator<Extent> extents() {
    if (size == 0) {
      return Collections.emptyIterator();
    }
    return List.of(new Extent(0, size, ExtentType.DATA)).iterator();
  }

  @Override
  public void read(long offset, ByteBuffer destination) throws IOException {
    if (offset < 0 || offset > size - destination.remaining()) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST,
          "read of " + destination.remaining() + " bytes at offset " + offset
              + " is outside the disk of " + size + " bytes");
    }
    long position = offset;
    while (destination.hasRemaining()) {
      int read = channel.read(destination, position);
      if (read < 0) {
        throw new FerryException(
            ErrorCode.IMAGE_CORRUPT, "raw file shrank while reading: end of file at offset "
                + position);
      }
      position += read;
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
