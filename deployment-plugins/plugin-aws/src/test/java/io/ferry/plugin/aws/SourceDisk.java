package io.ferry.plugin.aws;

import io.ferry.standardization.image.QemuImg;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A small local source disk for the upload tests: a raw file with random data in aligned and
 * unaligned runs, an explicitly written run of zeros and holes, converted by qemu-img to qcow2.
 */
final class SourceDisk {

  private SourceDisk() {}

  /** Writes {@code raw} of {@code size} bytes and returns it; {@code seed} picks the data. */
  static Path writeRaw(Path raw, long size, long seed) throws IOException {
    Random random = new Random(seed);
    try (FileChannel channel =
        FileChannel.open(raw, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      channel.truncate(0);
      long mib = 1L << 20;
      writeRandom(channel, random, 0, 700 * 1024);
      writeRandom(channel, random, 2 * mib + 4096, 300 * 1024);
      channel.write(ByteBuffer.allocate((int) mib), 3 * mib); // allocated zeros: never sent
      writeRandom(channel, random, 5 * mib - 100, 5000);
      writeRandom(channel, random, size - 1536, 1536);
      channel.truncate(size);
    }
    return raw;
  }

  /** Converts {@code raw} to a qcow2 next to it with qemu-img. */
  static Path toQcow2(Path raw, Path qcow2) throws IOException {
    QemuImg.convert(raw, "raw", qcow2, "qcow2");
    return qcow2;
  }

  /** The indexes of the blocks of {@code blockSize} in {@code raw} that hold a non-zero byte. */
  static List<Integer> nonZeroBlocks(Path raw, int blockSize) throws IOException {
    List<Integer> blocks = new ArrayList<>();
    try (FileChannel channel = FileChannel.open(raw, StandardOpenOption.READ)) {
      for (long offset = 0, index = 0; offset < channel.size(); offset += blockSize, index++) {
        byte[] block = block(channel, offset, blockSize);
        for (byte value : block) {
          if (value != 0) {
            blocks.add((int) index);
            break;
          }
        }
      }
    }
    return blocks;
  }

  /** {@code blockSize} bytes of {@code raw} at {@code offset}, zero past its end. */
  static byte[] block(FileChannel channel, long offset, int blockSize) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(blockSize);
    while (buffer.hasRemaining()) {
      int read = channel.read(buffer, offset + buffer.position());
      if (read <= 0) {
        break;
      }
    }
    return Arrays.copyOf(buffer.array(), blockSize);
  }

  private static void writeRandom(FileChannel channel, Random random, long offset, int length) throws IOException {
    byte[] data = new byte[length];
    random.nextBytes(data);
    ByteBuffer buffer = ByteBuffer.wrap(data);
    while (buffer.hasRemaining()) {
      channel.write(buffer, offset + buffer.position());
    }
  }
}
