package io.ferry.standardization.image;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;

/**
 * Test support: writes raw disk images with known content: holes, runs of written zeros, random
 * data, text, and odd sizes (multiples of 512 that are not multiples of 64 KiB).
 */
public final class TestImages {

  /** What a generated disk holds. */
  public enum Pattern {
    /** No data at all: one hole. */
    EMPTY,
    /** Every byte random. */
    FULL,
    /** Holes, written zero runs, random data and text, at odd offsets and lengths. */
    MIXED
  }

  private static final byte[] TEXT =
      ("Ferry moves virtual machine images between clouds. root:x:0:0:root:/root:/bin/bash\n")
          .getBytes(StandardCharsets.US_ASCII);

  private TestImages() {}

  /** Writes a raw image of {@code size} bytes (a multiple of 512) with {@code pattern}. */
  public static Path writeRaw(Path path, long size, Pattern pattern, long seed) throws IOException {
    if (size % 512 != 0) {
      throw new IllegalArgumentException("qemu-img needs sizes that are multiples of 512");
    }
    Random random = new Random(seed);
    try (FileChannel channel =
        FileChannel.open(
            path,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      switch (pattern) {
        case EMPTY -> {}
        case FULL -> fill(channel, random, 0, size, 0);
        case MIXED -> {
          long position = 0;
          int kind = 0;
          while (position < size) {
            // Run lengths of 512 B..200 KiB in 512-byte steps: rarely cluster aligned.
            long length = Math.min(size - position, 512L * (1 + random.nextInt(400)));
            switch (kind++ % 4) {
              case 0 -> fill(channel, random, position, length, 0); // random
              case 1 -> {} // hole
              case 2 -> fill(channel, random, position, length, 1); // text
              default -> fill(channel, random, position, length, 2); // written zeros
            }
            position += length;
          }
        }
        default -> throw new IllegalArgumentException(pattern.toString());
      }
    }
    try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
      if (file.length() < size) {
        file.setLength(size); // a hole up to the end
      }
    }
    return path;
  }

  private static void fill(FileChannel channel, Random random, long offset, long length, int kind)
      throws IOException {
    byte[] block = new byte[64 * 1024];
    long position = offset;
    while (position < offset + length) {
      int count = (int) Math.min(block.length, offset + length - position);
      if (kind == 0) {
        random.nextBytes(block);
      } else if (kind == 1) {
        for (int i = 0; i < count; i++) {
          block[i] = TEXT[(int) ((position + i) % TEXT.length)];
        }
      } else {
        Arrays.fill(block, (byte) 0);
      }
      ByteBuffer buffer = ByteBuffer.wrap(block, 0, count);
      while (buffer.hasRemaining()) {
        channel.write(buffer, position + buffer.position());
      }
      position += count;
    }
  }
}
