package io.ferry.standardization.image.vmdk;

import static io.ferry.standardization.image.vhd.DiskFixtures.qemuImgOk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.ProgressListener;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.DiskImages;
import io.ferry.standardization.image.Extent;
import io.ferry.standardization.image.WriteOptions;
import io.ferry.standardization.image.raw.RawFormatHandler;
import io.ferry.standardization.image.vhd.DiskFixtures;
import io.ferry.standardization.image.vhd.DiskFixtures.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.zip.Deflater;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corrupt and unsupported VMDKs: every one fails with the right code and a message naming the
 * structure and its offset; never another exception, a hang or partial output.
 */
class VmdkBadInputIT {

  @TempDir Path directory;
  private Path sparse;
  private Path stream;

  @BeforeEach
  void writeValidImages() throws Exception {
    Path raw = DiskFixtures.raw(directory.resolve("source.raw"), Shape.MIXED, 61);
    sparse = directory.resolve("sparse.vmdk");
    qemuImgOk("convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=monolithicSparse", raw.toString(), sparse.toString());
    stream = directory.resolve("stream.vmdk");
    try (DiskImageReader reader = new RawFormatHandler().open(raw);
        DiskImageWriter writer =
            new VmdkStreamOptimizedFormatHandler().create(stream, reader.virtualSize(), WriteOptions.DEFAULTS)) {
      DiskImages.convert(reader, writer, ProgressListener.NONE);
    }
  }

  @Test
  void wrongMagicIsAnUnknownFormatAndDetectsAsRaw() throws Exception {
    patch(sparse, 0, new byte[] {'X', 'D', 'M', 'V'});
    fails(() -> VmdkImages.open(sparse), ErrorCode.IMAGE_FORMAT_UNKNOWN, "magic 'KDMV') at offset 0");
    assertThat(DiskImages.detect(sparse)).isEqualTo(DiskFormat.RAW);
  }

  @Test
  void truncatedBeforeTheGrainDirectory() throws Exception {
    long directoryOffset = headerLong(sparse, 56) * 512;
    truncate(sparse, directoryOffset + 2);
    fails(() -> VmdkImages.open(sparse), ErrorCode.IMAGE_CORRUPT, "grain directory at offset " + directoryOffset);
  }

  @Test
  void absurdCapacity() throws Exception {
    patchLong(sparse, 12, 1L << 50);
    fails(() -> VmdkImages.open(sparse), ErrorCode.IMAGE_CORRUPT, "absurd capacity");
  }

  @Test
  void grainSizeThatIsNoPowerOfTwo() throws Exception {
    patchLong(sparse, 20, 100);
    fails(() -> VmdkImages.open(sparse), ErrorCode.IMAGE_CORRUPT, "grain size 100");
  }

  @Test
  void grainDirectoryEntryPointingAtTheHeaderArea() throws Exception {
    long directoryOffset = headerLong(sparse, 56) * 512;
    patchInt(sparse, directoryOffset, 1); // sector 1: the embedded descriptor
    fails(() -> VmdkImages.open(sparse), ErrorCode.IMAGE_CORRUPT,
        "grain directory entry 0 (at offset " + directoryOffset + ") points to a grain table at offset 512");
  }

  @Test
  void grainDirectoryEntryPointingAtTheGrainDirectoryItself() throws Exception {
    long directorySector = headerLong(sparse, 56);
    patchInt(sparse, directorySector * 512, (int) directorySector);
    fails(() -> VmdkImages.open(sparse), ErrorCode.IMAGE_CORRUPT, "overlapping the header, descriptor or grain directory");
  }

  @Test
  void twoGrainTablesOverlap() throws Exception {
    Path raw = directory.resolve("big.raw");
    try (FileChannel channel = FileChannel.open(raw, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(new byte[] {1}), 40L << 20);
    }
    Path image = directory.resolve("big.vmdk");
    qemuImgOk("convert", "-f", "raw", "-O", "vmdk", raw.toString(), image.toString());
    long directoryOffset = headerLong(image, 56) * 512;
    int first = readInt(image, directoryOffset);
    patchInt(image, directoryOffset + 4, first + 1); // the second table starts inside the first
    fails(() -> VmdkImages.open(image), ErrorCode.IMAGE_CORRUPT, "overlapping grain tables");
  }

  @Test
  void grainTableEntryPastTheEndOfTheFile() throws Exception {
    long table = readInt(sparse, headerLong(sparse, 56) * 512) * 512L;
    patchInt(sparse, table, 0x7fff0000);
    fails(() -> readEverything(sparse), ErrorCode.IMAGE_CORRUPT, "grain table 0 (at offset " + table + ") entry 0");
  }

  @Test
  void grainTableEntryPointingIntoAGrainTable() throws Exception {
    long tableSector = readInt(sparse, headerLong(sparse, 56) * 512);
    patchInt(sparse, tableSector * 512, (int) tableSector);
    fails(() -> readEverything(sparse), ErrorCode.IMAGE_CORRUPT, "overlapping the header, descriptor or tables");
  }

  @Test
  void parentDiskIsRefused() throws Exception {
    long descriptor = headerLong(sparse, 28) * 512;
    int size = (int) headerLong(sparse, 36) * 512;
    byte[] hint = "parentFileNameHint=\"base.vmdk\"\n".getBytes(StandardCharsets.US_ASCII);
    // The embedded descriptor is its text up to the first NUL: the hint goes right there.
    byte[] area = read(sparse, descriptor, size);
    int end = 0;
    while (end < area.length && area[end] != 0) {
      end++;
    }
    assertThat(end + hint.length).as("room in the descriptor area of %d bytes", size).isLessThan(size);
    patch(sparse, descriptor + end, hint);
    assertThat(new String(read(sparse, descriptor, end + hint.length), StandardCharsets.US_ASCII))
        .as("the patched descriptor")
        .endsWith("parentFileNameHint=\"base.vmdk\"\n");
    fails(() -> VmdkImages.open(sparse), ErrorCode.IMAGE_FEATURE_UNSUPPORTED, "parent disk");
  }

  @Test
  void streamWithoutItsFooter() throws Exception {
    long size = Files.size(stream);
    truncate(stream, size - 1536);
    fails(() -> VmdkImages.open(stream), ErrorCode.IMAGE_CORRUPT, "no footer marker at offset " + (size - 3072));
  }

  @Test
  void streamFooterPointingPastTheEnd() throws Exception {
    long footer = Files.size(stream) - 1024;
    patchLong(stream, footer + 56, 1L << 40);
    fails(() -> VmdkImages.open(stream), ErrorCode.IMAGE_CORRUPT, "grain directory offset");
  }

  @Test
  void grainMarkerForTheWrongSector() throws Exception {
    long marker = firstGrainMarker();
    patchLong(stream, marker, 12345);
    fails(() -> readEverything(stream), ErrorCode.IMAGE_CORRUPT, "grain marker at offset " + marker + " is for sector 12345");
  }

  @Test
  void absurdCompressedSize() throws Exception {
    long marker = firstGrainMarker();
    patchInt(stream, marker + 8, 0x7fffffff);
    fails(() -> readEverything(stream), ErrorCode.IMAGE_CORRUPT, "grain marker at offset " + marker + " declares");
  }

  @Test
  void garbageInsteadOfCompressedData() throws Exception {
    long marker = firstGrainMarker();
    patch(stream, marker + 12, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    fails(() -> readEverything(stream), ErrorCode.IMAGE_CORRUPT, "compressed grain at offset " + marker);
  }

  @Test
  void grainThatInflatesBeyondOneGrain() throws Exception {
    long marker = firstGrainMarker();
    Deflater deflater = new Deflater(9);
    deflater.setInput(new byte[1 << 20]);
    deflater.finish();
    byte[] bomb = new byte[4096];
    int size = deflater.deflate(bomb);
    assertThat(deflater.finished()).isTrue();
    ByteBuffer record = ByteBuffer.allocate(12 + size).order(ByteOrder.LITTLE_ENDIAN);
    record.putLong(0); // the first grain of the MIXED disk is grain 0
    record.putInt(size);
    record.put(bomb, 0, size);
    patch(stream, marker, record.array());
    fails(() -> readEverything(stream), ErrorCode.IMAGE_CORRUPT, "inflates beyond one grain");
  }

  private long firstGrainMarker() throws IOException {
    return 128 * 512; // Ferry's streams put the first grain right after 64 KiB of metadata
  }

  private static void readEverything(Path image) throws IOException {
    try (DiskImageReader reader = VmdkImages.open(image)) {
      for (Iterator<Extent> extents = reader.extents(); extents.hasNext(); ) {
        Extent extent = extents.next();
        if (extent.type().holdsData()) {
          reader.read(extent.offset(), ByteBuffer.allocate((int) extent.length()));
        }
      }
    }
  }

  static void fails(ThrowingCallable call, ErrorCode code, String message) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(FerryException.class, e -> assertThat(e.code()).isEqualTo(code))
        .hasMessageContaining(message);
  }

  private static long headerLong(Path path, long offset) throws IOException {
    return ByteBuffer.wrap(read(path, offset, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
  }

  private static int readInt(Path path, long offset) throws IOException {
    return ByteBuffer.wrap(read(path, offset, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt();
  }

  static byte[] read(Path path, long offset, int length) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      ByteBuffer buffer = ByteBuffer.allocate(length);
      channel.read(buffer, offset);
      return buffer.array();
    }
  }

  private static void patchLong(Path path, long offset, long value) throws IOException {
    patch(path, offset, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array());
  }

  private static void patchInt(Path path, long offset, int value) throws IOException {
    patch(path, offset, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array());
  }

  static void patch(Path path, long offset, byte[] bytes) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(bytes), offset);
    }
  }

  static void truncate(Path path, long size) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
      channel.truncate(size);
    }
  }
}
