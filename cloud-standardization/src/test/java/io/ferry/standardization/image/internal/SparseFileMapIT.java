package io.ferry.standardization.image.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.standardization.image.Extent;
import io.ferry.standardization.image.ExtentType;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The holes of real sparse files on the temporary directory's file system, as lseek reports them. */
class SparseFileMapIT {

  private static final int MIB = 1 << 20;

  @TempDir Path directory;

  @BeforeAll
  static void needsLinux() {
    assumeTrue(SparseFileMap.available(), "SEEK_DATA needs Linux and JNA's native part");
  }

  @Test
  void holesAreUnallocatedAndDataIsData() throws IOException {
    Path file = directory.resolve("sparse.raw");
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      write(channel, MIB, 4096, (byte) 1);
      write(channel, 8L * MIB, 8192, (byte) 2);
    }
    extend(file, 16L * MIB);
    List<Extent> extents = map(file, 16L * MIB);
    assumeTrue(extents.size() > 1, "this file system reports no holes");
    assertThat(extents)
        .containsExactly(
            new Extent(0, MIB, ExtentType.UNALLOCATED),
            new Extent(MIB, 4096, ExtentType.DATA),
            new Extent(MIB + 4096, 7L * MIB - 4096, ExtentType.UNALLOCATED),
            new Extent(8L * MIB, 8192, ExtentType.DATA),
            new Extent(8L * MIB + 8192, 8L * MIB - 8192, ExtentType.UNALLOCATED));
  }

  @Test
  void aFileWithoutHolesIsOneDataExtentAndAnEmptyFileNone() throws IOException {
    Path full = directory.resolve("full.raw");
    Files.write(full, new byte[3 * 4096 + 512]);
    assertThat(map(full, Files.size(full)))
        .containsExactly(new Extent(0, Files.size(full), ExtentType.DATA));

    Path holes = directory.resolve("holes.raw");
    Files.createFile(holes);
    extend(holes, 4L * MIB);
    assertThat(map(holes, 4L * MIB)).containsExactly(new Extent(0, 4L * MIB, ExtentType.UNALLOCATED));

    assertThat(SparseFileMap.open(directory.resolve("holes.raw"), 0)).isEmpty();
  }

  @Test
  void dataPastTheDiskSizeIsCutAtTheSize() throws IOException {
    Path file = directory.resolve("longer.raw");
    Files.write(file, new byte[2 * MIB]);
    assertThat(map(file, MIB + 512)).containsExactly(new Extent(0, MIB + 512, ExtentType.DATA));
  }

  private static List<Extent> map(Path file, long size) throws IOException {
    Optional<SparseFileMap> opened = SparseFileMap.open(file, size);
    assertThat(opened).isPresent();
    List<Extent> extents = new ArrayList<>();
    try (SparseFileMap map = opened.get()) {
      for (Iterator<Extent> iterator = map.extents(); iterator.hasNext(); ) {
        extents.add(iterator.next());
      }
    }
    long expected = 0;
    for (Extent extent : extents) {
      assertThat(extent.offset()).isEqualTo(expected);
      expected = extent.end();
    }
    assertThat(expected).isEqualTo(size);
    return extents;
  }

  private static void write(FileChannel channel, long offset, int length, byte value) throws IOException {
    ByteBuffer data = ByteBuffer.allocate(length);
    while (data.hasRemaining()) {
      data.put(value);
    }
    data.flip();
    while (data.hasRemaining()) {
      channel.write(data, offset + data.position());
    }
  }

  private static void extend(Path file, long size) throws IOException {
    try (RandomAccessFile extend = new RandomAccessFile(file.toFile(), "rw")) {
      extend.setLength(size);
    }
  }
}
