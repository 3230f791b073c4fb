package io.ferry.standardization.image.vhdx;

import static io.ferry.standardization.image.vhd.DiskFixtures.content;
import static io.ferry.standardization.image.vhd.DiskFixtures.qemuImgOk;
import static io.ferry.standardization.image.vhd.DiskFixtures.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.Extent;
import io.ferry.standardization.image.vhd.DiskFixtures;
import io.ferry.standardization.image.vhd.DiskFixtures.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.UUID;
import java.util.zip.CRC32C;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Corrupt and unsupported VHDX images (made by qemu-img, then damaged). */
class VhdxBadInputIT {

  private static final long MIB = 1 << 20;
  private static final long[] HEADERS = {64 * 1024, 128 * 1024};
  private static final long[] REGION_TABLES = {192 * 1024, 256 * 1024};

  @TempDir Path directory;
  private Path raw;
  private Path image;
  private long table;
  private long metadata;

  @BeforeEach
  void writeValidImage() throws Exception {
    raw = DiskFixtures.raw(directory.resolve("source.raw"), Shape.MIXED, 81);
    image = directory.resolve("disk.vhdx");
    qemuImgOk("convert", "-f", "raw", "-O", "vhdx", "-o", "subformat=dynamic,block_size=1M", raw.toString(), image.toString());
    ByteBuffer regions = little(read(REGION_TABLES[0], 64 * 1024));
    for (int index = 0; index < regions.getInt(8); index++) {
      UUID id = VhdxReader.guid(regions, 16 + 32 * index);
      long offset = regions.getLong(16 + 32 * index + 16);
      if (id.equals(VhdxReader.BAT_REGION)) {
        table = offset;
      } else if (id.equals(VhdxReader.METADATA_REGION)) {
        metadata = offset;
      }
    }
    assertThat(table).isPositive();
    assertThat(metadata).isPositive();
    assertThat(state(0)).isEqualTo(VhdxReader.FULLY_PRESENT);
    assertThat(state(1)).isEqualTo(VhdxReader.FULLY_PRESENT);
  }

  @Test
  void bothHeadersWithWrongChecksums() throws Exception {
    for (long header : HEADERS) {
      patch(header + 200, new byte[] {1});
    }
    fails(ErrorCode.IMAGE_CORRUPT, "neither header (at offsets 65536 and 131072)");
  }

  @Test
  void oneDamagedHeaderIsSurvived() throws Exception {
    patch(HEADERS[0] + 4, new byte[] {1, 2, 3, 4});
    try (DiskImageReader reader = new VhdxFormatHandler().open(image)) {
      assertThat(readAll(reader)).isEqualTo(content(raw, Shape.MIXED.size()));
    }
  }

  @Test
  void bothRegionTablesDamaged() throws Exception {
    for (long regions : REGION_TABLES) {
      patch(regions + 100, new byte[] {7});
    }
    fails(ErrorCode.IMAGE_CORRUPT, "neither region table");
  }

  @Test
  void aLogGuidWithoutALogEntryIsCorrupt() throws Exception {
    for (long header : HEADERS) {
      ByteBuffer bytes = little(read(header, 4096));
      bytes.putLong(48, 0x1122334455667788L); // log GUID
      rewriteChecksum(bytes, 4096);
      patch(header, bytes.array());
    }
    fails(ErrorCode.IMAGE_CORRUPT, "holds no valid sequence of entries to replay");
  }

  @Test
  void tableEntryPastTheEndOfTheFile() throws Exception {
    setEntry(0, (100_000L << 20) | VhdxReader.FULLY_PRESENT);
    fails(ErrorCode.IMAGE_CORRUPT,
        "block allocation table entry for block 0 (at offset " + table + ") points to data at offset " + (100_000 * MIB));
  }

  @Test
  void twoBlocksAtTheSameOffset() throws Exception {
    setEntry(1, entry(0));
    fails(ErrorCode.IMAGE_CORRUPT, "overlaps another structure");
  }

  @Test
  void blockOnTheMetadataRegion() throws Exception {
    setEntry(0, ((metadata / MIB) << 20) | VhdxReader.FULLY_PRESENT);
    fails(ErrorCode.IMAGE_CORRUPT, "overlaps another structure at offset " + metadata);
  }

  @Test
  void partiallyPresentBlocksAreDifferencingAndRefused() throws Exception {
    setEntry(0, (entry(0) & ~7L) | VhdxReader.PARTIALLY_PRESENT);
    fails(ErrorCode.IMAGE_FEATURE_UNSUPPORTED, "partially present");
  }

  @Test
  void unknownBlockState() throws Exception {
    setEntry(0, (entry(0) & ~7L) | 4);
    fails(ErrorCode.IMAGE_CORRUPT, "unknown state 4");
  }

  @Test
  void absurdVirtualSize() throws Exception {
    ByteBuffer items = little(read(metadata, 64 * 1024));
    long sizeItem = -1;
    for (int index = 0; index < Short.toUnsignedInt(items.getShort(10)); index++) {
      UUID id = VhdxReader.guid(items, 32 + 32 * index);
      if (id.equals(VhdxReader.VIRTUAL_DISK_SIZE) || id.equals(VhdxReader.VIRTUAL_DISK_SIZE_ALTERNATE)) {
        sizeItem = metadata + Integer.toUnsignedLong(items.getInt(32 + 32 * index + 16));
      }
    }
    assertThat(sizeItem).isPositive();
    patch(sizeItem, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 60).array());
    fails(ErrorCode.IMAGE_CORRUPT, "virtual disk size 1152921504606846976 is impossible");
  }

  @Test
  void wrongFileTypeIdentifier() throws Exception {
    patch(0, "vhdxFILE".getBytes());
    fails(ErrorCode.IMAGE_FORMAT_UNKNOWN, "'vhdxfile' at offset 0");
  }

  private int state(long block) throws IOException {
    return (int) (entry(block) & 7);
  }

  /** The BAT entry of payload block {@code block} (chunk ratio far above the blocks used here). */
  private long entry(long block) throws IOException {
    return little(read(table + 8 * block, 8)).getLong(0);
  }

  private void setEntry(long block, long value) throws IOException {
    patch(table + 8 * block, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array());
  }

  private void fails(ErrorCode code, String message) {
    ThrowingCallable call =
        () -> {
          try (DiskImageReader reader = new VhdxFormatHandler().open(image)) {
            for (Iterator<Extent> extents = reader.extents(); extents.hasNext(); ) {
              Extent extent = extents.next();
              if (extent.type().holdsData()) {
                reader.read(extent.offset(), ByteBuffer.allocate((int) extent.length()));
              }
            }
          }
        };
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(FerryException.class, e -> assertThat(e.code()).isEqualTo(code))
        .hasMessageContaining(message);
  }

  private static void rewriteChecksum(ByteBuffer bytes, int length) {
    bytes.putInt(4, 0);
    CRC32C crc = new CRC32C();
    crc.update(bytes.array(), 0, length);
    bytes.putInt(4, (int) crc.getValue());
  }

  private static ByteBuffer little(byte[] bytes) {
    return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  private byte[] read(long offset, int length) throws IOException {
    try (FileChannel channel = FileChannel.open(image, StandardOpenOption.READ)) {
      ByteBuffer buffer = ByteBuffer.allocate(length);
      channel.read(buffer, offset);
      return buffer.array();
    }
  }

  private void patch(long offset, byte[] bytes) throws IOException {
    try (FileChannel channel = FileChannel.open(image, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(bytes), offset);
    }
  }
}
