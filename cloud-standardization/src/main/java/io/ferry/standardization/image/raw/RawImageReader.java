package io.ferry.standardization.image.raw;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.Extent;
import io.ferry.standardization.image.internal.SparseFileMap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;

/**
 * Reads a raw file or block device. The file system's holes (asked with SEEK_DATA / SEEK_HOLE through {@link
 * SparseFileMap}) are UNALLOCATED extents and never read; where holes cannot be asked for, the whole file is one
 * DATA extent and conversions skip its zero blocks.
 */
final class RawImageReader implements DiskImageReader {

  private final FileChannel channel;
  private final long size;
  private final SparseFileMap holes;

  private RawImageReader(FileChannel channel, long size, SparseFileMap holes) {
    this.channel = channel;
    this.size = size;
    this.holes = holes;
  }

  static RawImageReader open(Path path) throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      long size = channel.size();
      if (size == 0 && !Files.isRegularFile(path)) {
        size = blockDeviceSize(path);
      }
      return new RawImageReader(channel, size, SparseFileMap.open(path, size).orElse(null));
    } catch (RuntimeException | IOException e) {
      channel.close();
      throw e;
    }
  }

  /**
   * The size of a block device (fstat reports 0 for them): Linux publishes it in 512-byte sectors
   * under {@code /sys/class/block/<name>/size}. 0 when unknown.
   */
  static long blockDeviceSize(Path device) throws IOException {
    Path name = device.toRealPath().getFileName();
    if (name == null) {
      return 0;
    }
    Path sectors = Path.of("/sys/class/block").resolve(name.toString()).resolve("size");
    if (!Files.isReadable(sectors)) {
      return 0;
    }
    try {
      return Math.multiplyExact(Long.parseLong(Files.readString(sectors).trim()), 512L);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new FerryException(
          ErrorCode.HOST_OPERATION_FAILED, "cannot read the size of block device " + device, e);
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
    return holes == null ? SparseFileMap.allData(size) : holes.extents();
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
    try (channel) {
      if (holes != null) {
        holes.close();
      }
    }
  }
}
