package io.ferry.standardization.image.raw;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.internal.FileWrites;
import io.ferry.standardization.image.internal.PartialFile;
import io.ferry.standardization.image.internal.Zeros;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Writes a sparse raw file under a temporary name: zero blocks are never written, the length is
 * set at finish, and only then is the file renamed onto its target.
 */
final class RawImageWriter implements DiskImageWriter {

  private final PartialFile file;
  private final long virtualSize;
  private long nextOffset;
  private boolean finished;

  private RawImageWriter(PartialFile file, long virtualSize) {
    this.file = file;
    this.virtualSize = virtualSize;
  }

  static RawImageWriter create(Path target, long virtualSize, boolean durable) throws IOException {
    return new RawImageWriter(PartialFile.create(target, durable), virtualSize);
  }

  @Override
  public DiskFormat format() {
    return DiskFormat.RAW;
  }

  @Override
  public long virtualSize() {
    return virtualSize;
  }

  @Override
  public void write(long offset, ByteBuffer data) throws IOException {
    if (finished) {
      throw new IllegalStateException("writer is finished");
    }
    if (offset < nextOffset || offset > virtualSize - data.remaining()) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST,
          "write of " + data.remaining() + " bytes at offset " + offset
              + " goes backwards (next " + nextOffset + ") or past the disk end " + virtualSize);
    }
    nextOffset = offset + data.remaining();
    if (Zeros.isZero(data)) {
      data.position(data.limit());
      return;
    }
    FileWrites.writeFully(file.channel(), data, offset);
  }

  @Override
  public void finish() throws IOException {
    if (finished) {
      return;
    }
    if (file.channel().size() < virtualSize) {
      // Extends the file with a hole (ftruncate); FileChannel.truncate can only shrink.
      try (RandomAccessFile extend = new RandomAccessFile(file.temporary().toFile(), "rw")) {
        extend.setLength(virtualSize);
      }
    }
    file.commit();
    finished = true;
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
