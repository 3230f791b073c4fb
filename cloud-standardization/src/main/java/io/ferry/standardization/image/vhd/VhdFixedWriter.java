package io.ferry.standardization.image.vhd;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.internal.FileWrites;
import io.ferry.standardization.image.internal.PartialFile;
import io.ferry.standardization.image.internal.Zeros;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Clock;
import java.util.UUID;

/**
 * Writes a fixed VHD: the disk data, then the 512-byte footer. The virtual size is rounded up to a
 * multiple of 1 MiB, which Azure requires. Ranges never written and all-zero ranges become holes
 * of the (sparse) output file, since a fixed VHD has no allocation map.
 */
final class VhdFixedWriter implements DiskImageWriter {

  static final long ALIGNMENT = 1 << 20;
  private static final int ZERO_CHECK = 64 * 1024;

  private final PartialFile file;
  private final FileChannel channel;
  private final long virtualSize;
  private final Clock clock;
  private long nextOffset;
  private boolean finished;

  VhdFixedWriter(Path path, long requestedSize, Clock clock) throws IOException {
    if (requestedSize <= 0 || requestedSize > VhdReader.MAX_VIRTUAL_SIZE) {
      // A fixed VHD of 0 bytes would be its bare footer, which readers take for a dynamic disk.
      throw new FerryException(
          ErrorCode.INVALID_REQUEST, "VHD: cannot write a disk of " + requestedSize + " bytes");
    }
    this.virtualSize = (requestedSize + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    this.clock = clock;
    this.file = PartialFile.create(path);
    this.channel = file.channel();
  }

  @Override
  public DiskFormat format() {
    return DiskFormat.VHD_FIXED;
  }

  @Override
  public long virtualSize() {
    return virtualSize;
  }

  @Override
  public void write(long offset, ByteBuffer data) throws IOException {
    if (offset < nextOffset || offset + data.remaining() > virtualSize) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST,
          "VHD: write of " + data.remaining() + " bytes at " + offset
              + " goes backwards or past the disk of " + virtualSize + " bytes");
    }
    // Runs of data between aligned all-zero pieces are written whole (in FileWrites' slices of
    // 128 KiB), not in a write per 64 KiB piece.
    long position = offset;
    long diskOffsetOfIndexZero = offset - data.position();
    int runStart = -1;
    while (data.hasRemaining()) {
      int length = (int) Math.min(data.remaining(), ZERO_CHECK - position % ZERO_CHECK);
      boolean zero = Zeros.isZero(data.slice(data.position(), length));
      if (!zero && runStart < 0) {
        runStart = data.position();
      } else if (zero && runStart >= 0) {
        writeRun(data, runStart, data.position(), diskOffsetOfIndexZero);
        runStart = -1;
      }
      data.position(data.position() + length);
      position += length;
    }
    if (runStart >= 0) {
      writeRun(data, runStart, data.position(), diskOffsetOfIndexZero);
    }
    nextOffset = position;
  }

  /** Writes bytes [start, end) of {@code data}, whose index 0 is at {@code base} on the disk. */
  private void writeRun(ByteBuffer data, int start, int end, long base) throws IOException {
    FileWrites.writeFully(channel, data.slice(start, end - start), base + start);
  }

  @Override
  public void finish() throws IOException {
    if (finished) {
      return;
    }
    ByteBuffer footer =
        VhdFooter.encode(
            VhdFooter.NO_DATA_OFFSET,
            virtualSize,
            VhdFooter.TYPE_FIXED,
            UUID.randomUUID(),
            clock.instant().getEpochSecond());
    long at = virtualSize;
    while (footer.hasRemaining()) {
      at += channel.write(footer, at);
    }
    file.commit();
    finished = true;
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
