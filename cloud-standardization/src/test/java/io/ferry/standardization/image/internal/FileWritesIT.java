package io.ferry.standardization.image.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writes larger than one slice land whole, at the right place, and leave the buffer consumed. */
class FileWritesIT {

  @TempDir Path directory;

  @Test
  void positionalWritesOfManySlicesLandWhole() throws IOException {
    byte[] content = new byte[3 * FileWrites.MAX_WRITE + 4321];
    new Random(1).nextBytes(content);
    Path file = directory.resolve("positional");
    ByteBuffer direct = ByteBuffer.allocateDirect(content.length + 100);
    direct.position(50);
    direct.put(content);
    direct.position(50).limit(50 + content.length);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      assertThat(FileWrites.writeFully(channel, direct, 777)).isEqualTo(content.length);
    }
    assertThat(direct.position()).isEqualTo(50 + content.length);
    assertThat(direct.limit()).isEqualTo(50 + content.length);
    byte[] written = Files.readAllBytes(file);
    assertThat(written).hasSize(777 + content.length);
    assertThat(Arrays.copyOfRange(written, 0, 777)).containsOnly(0);
    assertThat(Arrays.copyOfRange(written, 777, written.length)).isEqualTo(content);
  }

  @Test
  void sequentialWritesAppendInOrder() throws IOException {
    byte[] content = new byte[2 * FileWrites.MAX_WRITE + 1];
    new Random(2).nextBytes(content);
    Path file = directory.resolve("sequential");
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      FileWrites.writeFully(channel, ByteBuffer.wrap(content, 0, 10));
      FileWrites.writeFully(channel, ByteBuffer.wrap(content, 10, content.length - 10));
    }
    assertThat(Files.readAllBytes(file)).isEqualTo(content);
  }
}
