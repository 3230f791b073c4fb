package io.ferry.plugin.tck;

import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.Extent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Random;

/**
 * Small raw disks with a recognisable layout: blocks of pseudo-random data separated by runs of
 * zeros (holes), a data block at the very start and at the very end. Deterministic per seed.
 */
public final class TestDisk {

  /** The block size of the pattern. */
  public static final int BLOCK = 64 * 1024;

  private TestDisk() {}

  /**
   * Writes a raw disk of {@code size} bytes (a multiple of 512) to {@code file}: every third
   * 64 KiB block holds data, the others are holes; the last 512 bytes hold data.
   */
  public static Path write(Path file, long size, long seed) throws IOException {
    if (size <= 0 || size % 512 != 0) {
      throw new IllegalArgumentException("size must be a positive multiple of 512: " + size);
    }
    Random random = new Random(seed);
    byte[] block = new byte[BLOCK];
    try (FileChannel channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      for (long offset = 0; offset < size; offset += BLOCK) {
        int length = (int) Math.min(BLOCK, size - offset);
        if ((offset / BLOCK) % 3 == 0) {
          random.nextBytes(block);
          writeFully(channel, ByteBuffer.wrap(block, 0, length), offset);
        }
      }
      random.nextBytes(block);
      writeFully(channel, ByteBuffer.wrap(block, 0, 512), size - 512);
      channel.truncate(size);
    }
    return file;
  }

  /** Streams {@code rawDisk} into {@code writer} in ascending order, skipping all-zero blocks. */
  public static void copyInto(Path rawDisk, DiskImageWriter writer) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(BLOCK);
    try (FileChannel channel = FileChannel.open(rawDisk, StandardOpenOption.READ)) {
      long size = channel.size();
      for (long offset = 0; offset < size; offset += BLOCK) {
        buffer.clear().limit((int) Math.min(BLOCK, size - offset));
        readFully(channel, buffer, offset);
        buffer.flip();
        if (!isZero(buffer)) {
          writer.write(offset, buffer);
        }
      }
    }
  }

  /**
   * The offset of the first byte where {@code reader}'s disk differs from {@code rawDisk}
   * (bytes past the raw file's end must be zeros), or -1 when they are identical.
   */
  public static long firstDifference(DiskImageReader reader, Path rawDisk) throws IOException {
    ByteBuffer expected = ByteBuffer.allocate(BLOCK);
    ByteBuffer actual = ByteBuffer.allocate(BLOCK);
    try (FileChannel channel = FileChannel.open(rawDisk, StandardOpenOption.READ)) {
      long size = channel.size();
      for (long offset = 0; offset < reader.virtualSize(); offset += BLOCK) {
        int length = (int) Math.min(BLOCK, reader.virtualSize() - offset);
        expected.clear().limit(length);
        Arrays.fill(expected.array(), (byte) 0);
        if (offset < size) {
          expected.limit((int) Math.min(length, size - offset));
          readFully(channel, expected, offset);
          expected.limit(length);
        }
        actual.clear().limit(length);
        reader.read(offset, actual);
        int mismatch = Arrays.mismatch(expected.array(), 0, length, actual.array(), 0, length);
        if (mismatch >= 0) {
          return offset + mismatch;
        }
      }
    }
    return -1;
  }

  /**
   * Checks that the extents of {@code reader} are ascending, adjacent and cover exactly the
   * virtual disk; returns a description of the first violation or null.
   */
  public static String extentViolation(DiskImageReader reader) throws IOException {
    long expectedOffset = 0;
    Iterator<Extent> extents = reader.extents();
    while (extents.hasNext()) {
      Extent extent = extents.next();
      if (extent.offset() != expectedOffset) {
        return "extent " + extent + " does not start at " + expectedOffset;
      }
      expectedOffset = extent.end();
    }
    if (expectedOffset != reader.virtualSize()) {
      return "extents end at " + expectedOffset + ", the disk at " + reader.virtualSize();
    }
    return null;
  }

  private static boolean isZero(ByteBuffer buffer) {
    for (int index = buffer.position(); index < buffer.limit(); index++) {
      if (buffer.get(index) != 0) {
        return false;
      }
    }
    return true;
  }

  private static void writeFully(FileChannel channel, ByteBuffer buffer, long offset) throws IOException {
    while (buffer.hasRemaining()) {
      offset += channel.write(buffer, offset);
    }
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long offset) throws IOException {
    while (buffer.hasRemaining()) {
      int read = channel.read(buffer, offset);
      if (read < 0) {
        throw new IOException("unexpected end of " + offset);
      }
      offset += read;
    }
  }
}
