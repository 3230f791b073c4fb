package io.ferry.standardization.image.vhdx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The compact description of a VHDX used as fuzz input and seed: a flags byte, then records
 * (sector offset as u32 little-endian, length as u16, bytes) written into a sparse file of at most
 * 16 MiB; flag 1 recomputes the header checksums, flag 2 the region table checksums, flag 4 the
 * checksum of the log entry at 1 MiB (its length as its header gives it, at most 1 MiB).
 */
public final class VhdxSeeds {

  private static final long MAX_FILE = 16L << 20;
  private static final int MAX_RECORDS = 256;
  private static final long LOG = 1L << 20;

  private VhdxSeeds() {}

  /** Expands the compact input description into the file {@code target} (see the class). */
  public static void materialize(byte[] input, Path target) throws IOException {
    ByteBuffer in = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN);
    int flags = in.hasRemaining() ? in.get() : 0;
    try (FileChannel channel =
        FileChannel.open(
            target,
            StandardOpenOption.CREATE,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      for (int records = 0; records < MAX_RECORDS && in.remaining() >= 6; records++) {
        long offset = (Integer.toUnsignedLong(in.getInt()) * 512) % MAX_FILE;
        int length = Math.min(Short.toUnsignedInt(in.getShort()), in.remaining());
        ByteBuffer bytes = in.slice(in.position(), length);
        in.position(in.position() + length);
        while (bytes.hasRemaining()) {
          offset += channel.write(bytes, offset);
        }
      }
      if ((flags & 1) != 0) {
        fixChecksum(channel, 64 * 1024, 4096);
        fixChecksum(channel, 128 * 1024, 4096);
      }
      if ((flags & 2) != 0) {
        fixChecksum(channel, 192 * 1024, 64 * 1024);
        fixChecksum(channel, 256 * 1024, 64 * 1024);
      }
      if ((flags & 4) != 0 && channel.size() >= LOG + 12) {
        ByteBuffer length = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        channel.read(length, LOG + 8);
        int entryLength = length.getInt(0);
        if (entryLength >= 4096 && entryLength <= (1 << 20)) {
          fixChecksum(channel, LOG, entryLength);
        }
      }
    }
  }

  private static void fixChecksum(FileChannel channel, long offset, int length) throws IOException {
    if (channel.size() < offset + length) {
      return;
    }
    ByteBuffer block = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    channel.read(block, offset);
    block.putInt(4, 0);
    CRC32C crc = new CRC32C();
    crc.update(block.array());
    block.putInt(4, (int) crc.getValue());
    channel.write(ByteBuffer.wrap(block.array(), 4, 4), offset + 4);
  }
}
