package io.ferry.standardization.image.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.ProgressListener;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.DiskImages;
import io.ferry.standardization.image.Extent;
import io.ferry.standardization.image.QemuImg;
import io.ferry.standardization.image.WriteOptions;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corrupt and unsupported qcow2 images: each must fail with the right error code and a message
 * naming the structure and its offset, never with another exception, a hang, or output that
 * looks complete.
 */
class Qcow2BadInputIT {

  private static final int MIB = 1 << 20;
  private static final int CLUSTER = 64 * 1024;

  @TempDir Path directory;
  private Path image;
  private long l1Offset;
  private long l2Offset;

  @BeforeEach
  void writeValidImage() throws IOException {
    image = directory.resolve("good.qcow2");
    byte[] data = new byte[2 * MIB];
    new Random(3).nextBytes(data);
    try (DiskImageWriter writer =
        DiskImages.create(image, DiskFormat.QCOW2, 4 * MIB, WriteOptions.DEFAULTS)) {
      writer.write(0, ByteBuffer.wrap(data));
      writer.finish();
    }
    l1Offset = headerLong(40);
    l2Offset = readLong(l1Offset) & Qcow2ImageReader.L1_OFFSET_MASK;
    assertThat(l2Offset).isPositive();
  }

  @Test
  void wrongMagicIsUnknownFormatAndDetectsAsRaw() throws IOException {
    patchInt(0, 0x12345678);
    assertFails(() -> new Qcow2FormatHandler().open(image), ErrorCode.IMAGE_FORMAT_UNKNOWN, "offset 0");
    assertThat(DiskImages.detect(image)).isEqualTo(DiskFormat.RAW);
  }

  @Test
  void fileShorterThanTheHeader() throws IOException {
    truncate(40);
    assertFails(() -> DiskImages.open(image, DiskFormat.QCOW2), ErrorCode.IMAGE_CORRUPT, "header at offset 0");
  }

  @Test
  void truncatedInsideTheData() throws IOException {
    long refcountTable = headerLong(48);
    truncate(l2Offset + CLUSTER / 2);
    assertFails(
        this::readEverything,
        ErrorCode.IMAGE_CORRUPT,
        "refcount table at offset " + refcountTable + ": table of 65536 bytes runs past the end");
  }

  @Test
  void l1TablePastTheEndOfTheFile() throws IOException {
    patchLong(40, 1L << 40);
    assertFails(() -> DiskImages.open(image), ErrorCode.IMAGE_CORRUPT, "L1 table at offset " + (1L << 40));
  }

  @Test
  void l1TableNotAligned() throws IOException {
    patchLong(40, l1Offset + 8);
    assertFails(() -> DiskImages.open(image), ErrorCode.IMAGE_CORRUPT, "L1 table at offset " + (l1Offset + 8));
  }

  @Test
  void l2TablePastTheEndOfTheFile() throws IOException {
    long past = (Files.size(image) / CLUSTER + 10) * CLUSTER;
    patchLongAt(l1Offset, past | Qcow2ImageReader.FLAG_COPIED);
    assertFails(this::readEverything, ErrorCode.IMAGE_CORRUPT, "L2 table of L1 entry 0 at offset " + past);
  }

  @Test
  void l2TableThatIsTheL1TableIsACycle() throws IOException {
    patchLongAt(l1Offset, l1Offset | Qcow2ImageReader.FLAG_COPIED);
    assertFails(this::readEverything, ErrorCode.IMAGE_CORRUPT, "at offset " + l1Offset);
  }

  @Test
  void dataClusterThatIsItsOwnL2TableIsACycle() throws IOException {
    patchLongAt(l2Offset, l2Offset | Qcow2ImageReader.FLAG_COPIED);
    assertFails(this::readEverything, ErrorCode.IMAGE_CORRUPT, "cycle");
  }

  @Test
  void dataClusterPastTheEndOfTheFile() throws IOException {
    long past = (Files.size(image) / CLUSTER + 100) * CLUSTER;
    patchLongAt(l2Offset + 8, past | Qcow2ImageReader.FLAG_COPIED);
    assertFails(this::readEverything, ErrorCode.IMAGE_CORRUPT, "data cluster at offset " + past);
  }

  @Test
  void l1TableOverlappingTheRefcountTable() throws IOException {
    patchLong(48, l1Offset);
    assertFails(() -> DiskImages.open(image), ErrorCode.IMAGE_CORRUPT, "L1 table at offset " + l1Offset);
  }

  @Test
  void absurdVirtualSize() throws IOException {
    patchLong(24, 1L << 62);
    assertFails(() -> DiskImages.open(image), ErrorCode.IMAGE_CORRUPT, "size at offset 24");
  }

  @Test
  void absurdL1Size() throws IOException {
    patchInt(36, -1);
    assertFails(() -> DiskImages.open(image), ErrorCode.IMAGE_CORRUPT, "l1_size at offset 36");
  }

  @Test
  void l1TooSmallForTheVirtualSize() throws IOException {
    patchLong(24, 1L << 40);
    assertFails(() -> DiskImages.open(image), ErrorCode.IMAGE_CORRUPT, "l1_size at offset 36");
  }

  @Test
  void absurdClusterBits() throws IOException {
    patchInt(20, 40);
    assertFails(() -> DiskImages.open(image), ErrorCode.IMAGE_CORRUPT, "cluster_bits at offset 20");
  }

  @Test
  void refcountOrderOutOfRange() throws IOException {
    patchInt(96, 7);
    assertFails(() -> DiskImages.open(image), ErrorCode.IMAGE_CORRUPT, "refcount_order at offset 96");
  }

  @Test
  void reservedBitsInAnL2Entry() throws IOException {
    patchLongAt(l2Offset, readLong(l2Offset) | 0x2);
    assertFails(this::readEverything, ErrorCode.IMAGE_CORRUPT, "L2 entry at offset " + l2Offset);
  }

  @Test
  void backingFileIsRefused() throws IOException {
    patchLong(8, 0x200);
    assertFails(() -> DiskImages.open(image), ErrorCode.IMAGE_FEATURE_UNSUPPORTED, "backing file");
  }

  @Test
  void encryptionIsRefused() throws IOException {
    patchInt(32, 2);
    assertFails(() -> DiskImages.open(image), ErrorCode.IMAGE_FEATURE_UNSUPPORTED, "encrypted");
  }

  @Test
  void externalDataFileIsRefused() throws IOException {
    patchLong(72, Qcow2Header.INCOMPATIBLE_EXTERNAL_DATA_FILE);
    assertFails(() -> DiskImages.open(image), ErrorCode.IMAGE_FEATURE_UNSUPPORTED, "external data file");
  }

  /** An image of qemu-img with extended L2 entries, its first L2 entry at {@link #l2Offset}. */
  private void useExtendedL2Image(String... options) throws IOException {
    assumeTrue(QemuImg.available(), "qemu-img is not installed");
    Path raw = directory.resolve("data.raw");
    byte[] data = new byte[MIB];
    new Random(5).nextBytes(data);
    if (List.of(options).contains("-c")) {
      data = "all work and no play makes jack a dull boy\n".repeat(MIB / 43).getBytes(StandardCharsets.US_ASCII);
    }
    Files.write(raw, data);
    Path extended = directory.resolve("extended.qcow2");
    QemuImg.convert(raw, "raw", extended, "qcow2", options);
    image = extended;
    l2Offset = readLong(headerLong(40)) & Qcow2ImageReader.L1_OFFSET_MASK;
    readEverything(); // valid as made
  }

  @Test
  void subclustersBothAllocatedAndZero() throws IOException {
    useExtendedL2Image("-o", "extended_l2=on");
    long bitmap = readLong(l2Offset + 8);
    assertThat(bitmap & 0xffffffffL).as("allocation bits of the first cluster").isNotZero();
    patchLongAt(l2Offset + 8, bitmap | (bitmap << 32));
    assertFails(this::readEverything, ErrorCode.IMAGE_CORRUPT,
        "subcluster bitmap at offset " + (l2Offset + 8) + ": marks subclusters both allocated and zero");
  }

  @Test
  void subclustersAllocatedWithoutAHostCluster() throws IOException {
    useExtendedL2Image("-o", "extended_l2=on");
    patchLongAt(l2Offset, 0);
    assertFails(this::readEverything, ErrorCode.IMAGE_CORRUPT,
        "subcluster bitmap at offset " + (l2Offset + 8) + ": marks subclusters allocated in an entry without a host cluster");
  }

  @Test
  void aCompressedClusterWithASubclusterBitmap() throws IOException {
    useExtendedL2Image("-c", "-o", "extended_l2=on");
    assertThat(readLong(l2Offset) & Qcow2ImageReader.FLAG_COMPRESSED).isNotZero();
    patchLongAt(l2Offset + 8, 1);
    assertFails(this::readEverything, ErrorCode.IMAGE_CORRUPT,
        "subcluster bitmap of a compressed cluster at offset " + (l2Offset + 8) + ": is not empty");
  }

  @Test
  void extendedL2EntriesWithClustersTooSmallForSubclusters() throws IOException {
    patchLong(72, Qcow2Header.INCOMPATIBLE_EXTENDED_L2);
    patchInt(20, 12); // 4 KiB clusters: 128-byte subclusters
    assertFails(() -> DiskImages.open(image), ErrorCode.IMAGE_CORRUPT, "cluster_bits at offset 20");
  }

  @Test
  void unknownIncompatibleFeatureIsRefused() throws IOException {
    patchLong(72, 1L << 40);
    assertFails(() -> DiskImages.open(image), ErrorCode.IMAGE_FEATURE_UNSUPPORTED, "offset 72");
  }

  @Test
  void unsupportedVersion() throws IOException {
    patchInt(4, 4);
    assertFails(() -> DiskImages.open(image), ErrorCode.IMAGE_FEATURE_UNSUPPORTED, "offset 4");
  }

  @Test
  void corruptCompressedCluster() throws IOException {
    Path compressed = directory.resolve("compressed.qcow2");
    byte[] text = "all work and no play makes jack a dull boy\n".repeat(4000).getBytes();
    try (DiskImageWriter writer =
        DiskImages.create(compressed, DiskFormat.QCOW2, MIB, WriteOptions.DEFAULTS.withCompressed(true))) {
      writer.write(0, ByteBuffer.wrap(text, 0, CLUSTER));
      writer.finish();
    }
    image = compressed;
    long l2 = readLong(headerLong(40)) & Qcow2ImageReader.L1_OFFSET_MASK;
    long entry = readLong(l2);
    assertThat(entry & Qcow2ImageReader.FLAG_COMPRESSED).isNotZero();
    long dataOffset = entry & ((1L << 54) - 1);
    patchLongAt(dataOffset, 0xffffffffffffffffL);
    assertFails(this::readEverything, ErrorCode.IMAGE_CORRUPT, "compressed cluster (virtual offset 0) at offset " + dataOffset);
  }

  @Test
  void corruptZstdCluster() throws IOException {
    assumeTrue(QemuImg.available(), "qemu-img is not installed");
    Path raw = directory.resolve("text.raw");
    Files.write(raw, "all work and no play makes jack a dull boy\n".repeat(24_000).getBytes());
    Path zstd = directory.resolve("zstd.qcow2");
    QemuImg.convert(raw, "raw", zstd, "qcow2", "-c", "-o", "compression_type=zstd");
    image = zstd;
    long l2 = readLong(headerLong(40)) & Qcow2ImageReader.L1_OFFSET_MASK;
    long dataOffset = readLong(l2) & ((1L << 54) - 1);
    patchLongAt(dataOffset, 0x28b52ffd00000000L | 0xffffffffL); // zstd magic, garbage header
    assertFails(this::readEverything, ErrorCode.IMAGE_CORRUPT, "compressed cluster (virtual offset 0) at offset " + dataOffset);
  }

  @Test
  void aFailedConversionLeavesNoOutput() throws IOException {
    patchLongAt(l2Offset + 16, (1L << 45) | Qcow2ImageReader.FLAG_COPIED);
    Path output = directory.resolve("out.raw");
    assertThatThrownBy(
            () -> {
              try (DiskImageReader reader = DiskImages.open(image);
                  DiskImageWriter writer =
                      DiskImages.create(output, DiskFormat.RAW, reader.virtualSize(), WriteOptions.DEFAULTS)) {
                DiskImages.convert(reader, writer, ProgressListener.NONE);
              }
            })
        .isInstanceOf(FerryException.class);
    try (var files = Files.list(directory)) {
      assertThat(files.map(path -> path.getFileName().toString())).containsExactly("good.qcow2");
    }
  }

  private void readEverything() throws IOException {
    try (DiskImageReader reader = DiskImages.open(image)) {
      for (Iterator<Extent> extents = reader.extents(); extents.hasNext(); ) {
        extents.next();
      }
      ByteBuffer buffer = ByteBuffer.allocate(MIB);
      for (long offset = 0; offset < reader.virtualSize(); offset += MIB) {
        buffer.clear().limit((int) Math.min(MIB, reader.virtualSize() - offset));
        reader.read(offset, buffer);
      }
    }
  }

  private static void assertFails(ThrowingCallable call, ErrorCode code, String messagePart) {
    assertThatThrownBy(call)
        .isInstanceOf(FerryException.class)
        .hasMessageContaining(messagePart)
        .satisfies(e -> assertThat(((FerryException) e).code()).isEqualTo(code));
  }

  private long headerLong(int offset) throws IOException {
    return readLong(offset);
  }

  private long readLong(long offset) throws IOException {
    try (FileChannel channel = FileChannel.open(image, StandardOpenOption.READ)) {
      ByteBuffer buffer = ByteBuffer.allocate(8);
      channel.read(buffer, offset);
      return buffer.getLong(0);
    }
  }

  private void patchInt(long offset, int value) throws IOException {
    try (FileChannel channel = FileChannel.open(image, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.allocate(4).putInt(0, value), offset);
    }
  }

  private void patchLong(long offset, long value) throws IOException {
    patchLongAt(offset, value);
  }

  private void patchLongAt(long offset, long value) throws IOException {
    try (FileChannel channel = FileChannel.open(image, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.allocate(8).putLong(0, value), offset);
    }
  }

  private void truncate(long size) throws IOException {
    try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
      file.setLength(size);
    }
  }
}
