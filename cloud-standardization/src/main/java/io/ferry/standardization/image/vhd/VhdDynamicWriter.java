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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.UUID;

/**
 * Writes a dynamic VHD: footer copy, dynamic header, block allocation table, then 2 MiB blocks
 * (each a 512-byte sector bitmap, all set, and the data) in disk order, then the footer. Blocks
 * that are entirely zero are not stored. One block is buffered in memory.
 */
final class VhdDynamicWriter implements DiskImageWriter {

  static final int BLOCK_SIZE = 2 << 20;
  private static final int BITMAP_SIZE = 512;
  private static final long HEADER_OFFSET = VhdFooter.SIZE;
  private static final long TABLE_OFFSET = HEADER_OFFSET + 1024;

  private final PartialFile file;
  private final FileChannel channel;
  private final long virtualSize;
  private final Clock clock;
  private final int[] table;
  private final byte[] block = new byte[BLOCK_SIZE];
  private int currentBlock = -1;
  private boolean currentHasData;
  private long nextOffset;
  private long nextBlockPosition;
  private boolean finished;

  VhdDynamicWriter(Path path, long requestedSize, Clock clock) throws IOException {
    if (requestedSize < 0 || requestedSize > VhdReader.MAX_VIRTUAL_SIZE) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST, "VHD: cannot write a disk of " + requestedSize + " bytes");
    }
    this.virtualSize = (requestedSize + 511) / 512 * 512;
    this.clock = clock;
    this.table = new int[(int) ((virtualSize + BLOCK_SIZE - 1) / BLOCK_SIZE)];
    Arrays.fill(table, -1);
    long tableBytes = ((long) table.length * 4 + 511) / 512 * 512;
    this.nextBlockPosition = TABLE_OFFSET + tableBytes;
    this.file = PartialFile.create(path);
    this.channel = file.channel();
  }

  @Override
  public DiskFormat format() {
    return DiskFormat.VHD_DYNAMIC;
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
    long position = offset;
    while (data.hasRemaining()) {
      int index = (int) (position / BLOCK_SIZE);
      if (index != currentBlock) {
        flushBlock();
        currentBlock = index;
      }
      int inBlock = (int) (position % BLOCK_SIZE);
      int length = Math.min(data.remaining(), BLOCK_SIZE - inBlock);
      ByteBuffer part = data.slice(data.position(), length);
      if (!Zeros.isZero(part)) {
        part.get(block, inBlock, length);
        currentHasData = true;
      }
      data.position(data.position() + length);
      position += length;
    }
    nextOffset = position;
  }

  private void flushBlock() throws IOException {
    if (currentBlock >= 0 && currentHasData) {
      ByteBuffer bitmap = ByteBuffer.allocate(BITMAP_SIZE);
      Arrays.fill(bitmap.array(), (byte) 0xFF);
      writeFully(bitmap, nextBlockPosition);
      writeFully(ByteBuffer.wrap(block), nextBlockPosition + BITMAP_SIZE);
      table[currentBlock] = (int) (nextBlockPosition / 512);
      nextBlockPosition += BITMAP_SIZE + BLOCK_SIZE;
      Arrays.fill(block, (byte) 0);
    }
    currentHasData = false;
    currentBlock = -1;
  }

  private void writeFully(ByteBuffer buffer, long position) throws IOException {
    FileWrites.writeFully(channel, buffer, position);
  }

  @Override
  public void finish() throws IOException {
    if (finished) {
      return;
    }
    flushBlock();
    ByteBuffer tableBytes = ByteBuffer.allocate((int) ((table.length * 4L + 511) / 512 * 512));
    Arrays.fill(tableBytes.array(), (byte) 0xFF);
    for (int index = 0; index < table.length; index++) {
      tableBytes.putInt(index * 4, table[index]);
    }
    writeFully(tableBytes, TABLE_OFFSET);
    UUID uniqueId = UUID.randomUUID();
    long now = clock.instant().getEpochSecond();
    writeFully(dynamicHeader(), HEADER_OFFSET);
    writeFully(
        VhdFooter.encode(HEADER_OFFSET, virtualSize, VhdFooter.TYPE_DYNAMIC, uniqueId, now),
        nextBlockPosition);
    writeFully(VhdFooter.encode(HEADER_OFFSET, virtualSize, VhdFooter.TYPE_DYNAMIC, uniqueId, now), 0);
    file.commit();
    finished = true;
  }

  private ByteBuffer dynamicHeader() {
    ByteBuffer header = ByteBuffer.allocate(1024);
    header.put(0, "cxsparse".getBytes(StandardCharsets.US_ASCII));
    header.putLong(8, -1L);
    header.putLong(16, TABLE_OFFSET);
    header.putInt(24, 0x00010000);
    header.putInt(28, table.length);
    header.putInt(32, BLOCK_SIZE);
    header.putInt(36, (int) VhdFooter.checksum(header, 0, 1024, 36));
    return header;
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
