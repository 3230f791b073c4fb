package io.ferry.standardization.image.vhd;

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
import io.ferry.standardization.image.ImageFormatHandler;
import io.ferry.standardization.image.WriteOptions;
import io.ferry.standardization.image.raw.RawFormatHandler;
import io.ferry.standardization.image.vhd.DiskFixtures.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corrupt and unsupported VHDs (written by Ferry, then damaged): wrong checksums, impossible
 * sizes, table entries past the end or overlapping, differencing disks.
 */
class VhdBadInputIT {

  private static final long HEADER = 512;
  private static final long TABLE = 1536;

  @TempDir Path directory;
  private Path dynamic;
  private Path fixed;

  @BeforeEach
  void writeValidImages() throws Exception {
    Path raw = DiskFixtures.raw(directory.resolve("source.raw"), Shape.MIXED, 71);
    dynamic = directory.resolve("dynamic.vhd");
    fixed = directory.resolve("fixed.vhd");
    convert(raw, dynamic, new VhdDynamicFormatHandler());
    convert(raw, fixed, new VhdFixedFormatHandler());
  }

  @Test
  void fixedFooterWithAWrongChecksum() throws Exception {
    long footer = Files.size(fixed) - 512;
    patch(fixed, footer + 100, new byte[] {1});
    fails(() -> VhdImages.open(fixed), ErrorCode.IMAGE_CORRUPT, "footer at offset " + footer + " has checksum");
  }

  @Test
  void dynamicFooterCopyWithAWrongChecksum() throws Exception {
    patch(dynamic, 100, new byte[] {1});
    fails(() -> VhdImages.open(dynamic), ErrorCode.IMAGE_CORRUPT, "footer at offset 0 has checksum");
  }

  @Test
  void dynamicHeaderWithAWrongChecksum() throws Exception {
    patch(dynamic, HEADER + 700, new byte[] {1});
    fails(() -> VhdImages.open(dynamic), ErrorCode.IMAGE_CORRUPT, "dynamic header at offset 512 has checksum");
  }

  @Test
  void differencingDiskIsRefused() throws Exception {
    patchFooter(dynamic, 60, ByteBuffer.allocate(4).putInt(4).array());
    fails(() -> VhdImages.open(dynamic), ErrorCode.IMAGE_FEATURE_UNSUPPORTED, "differencing");
  }

  @Test
  void absurdDiskSize() throws Exception {
    patchFooter(dynamic, 48, ByteBuffer.allocate(8).putLong(1L << 60).array());
    fails(() -> VhdImages.open(dynamic), ErrorCode.IMAGE_CORRUPT, "impossible disk size");
  }

  @Test
  void fixedDiskTruncated() throws Exception {
    byte[] footer = read(fixed, Files.size(fixed) - 512, 512);
    truncate(fixed, 1 << 20);
    patch(fixed, 1 << 20, footer);
    fails(() -> VhdImages.open(fixed), ErrorCode.IMAGE_CORRUPT, "is truncated");
  }

  @Test
  void blockAllocationTableEntryPastTheEnd() throws Exception {
    patch(dynamic, TABLE, ByteBuffer.allocate(4).putInt(0x10000000).array());
    fails(() -> VhdImages.open(dynamic), ErrorCode.IMAGE_CORRUPT,
        "block allocation table entry 0 (at offset 1536) points to block data at offset 137438953472 past the end");
  }

  @Test
  void blockAllocationTableEntryPointingAtTheHeader() throws Exception {
    patch(dynamic, TABLE, ByteBuffer.allocate(4).putInt(1).array());
    fails(() -> VhdImages.open(dynamic), ErrorCode.IMAGE_CORRUPT, "overlapping the footer copy, header or table");
  }

  @Test
  void overlappingBlocks() throws Exception {
    byte[] first = read(dynamic, TABLE, 4);
    int second = ByteBuffer.wrap(first).getInt() + 8;
    patch(dynamic, TABLE + 4, ByteBuffer.allocate(4).putInt(second).array());
    fails(() -> VhdImages.open(dynamic), ErrorCode.IMAGE_CORRUPT, "overlapping blocks");
  }

  @Test
  void absurdBlockSize() throws Exception {
    byte[] header = read(dynamic, HEADER, 1024);
    ByteBuffer buffer = ByteBuffer.wrap(header);
    buffer.putInt(32, 3000);
    buffer.putInt(36, 0);
    long sum = 0;
    for (byte b : header) {
      sum += b & 0xFF;
    }
    buffer.putInt(36, (int) ~sum);
    patch(dynamic, HEADER, header);
    fails(() -> VhdImages.open(dynamic), ErrorCode.IMAGE_CORRUPT, "declares block size 3000");
  }

  @Test
  void garbageIsNotDetectedAsVhd() throws Exception {
    Path garbage = directory.resolve("garbage.img");
    Files.write(garbage, new byte[4096]);
    assertThat(DiskImages.detect(garbage)).isEqualTo(DiskFormat.RAW);
    fails(() -> VhdImages.open(garbage), ErrorCode.IMAGE_CORRUPT, "no footer cookie 'conectix' at offset 3584");
  }

  private static void readEverything(Path image) throws IOException {
    try (DiskImageReader reader = VhdImages.open(image)) {
      for (Iterator<Extent> extents = reader.extents(); extents.hasNext(); ) {
        Extent extent = extents.next();
        if (extent.type().holdsData()) {
          reader.read(extent.offset(), ByteBuffer.allocate((int) extent.length()));
        }
      }
    }
  }

  @Test
  void undamagedImagesReadCompletely() throws Exception {
    readEverything(dynamic);
    readEverything(fixed);
  }

  /** Patches the footer copy at offset 0 and fixes its checksum, so only the field is wrong. */
  private static void patchFooter(Path path, int field, byte[] value) throws IOException {
    byte[] footer = read(path, 0, 512);
    System.arraycopy(value, 0, footer, field, value.length);
    ByteBuffer buffer = ByteBuffer.wrap(footer);
    buffer.putInt(64, 0);
    long sum = 0;
    for (byte b : footer) {
      sum += b & 0xFF;
    }
    buffer.putInt(64, (int) ~sum);
    patch(path, 0, footer);
  }

  private static void convert(Path raw, Path target, ImageFormatHandler handler) throws Exception {
    try (DiskImageReader reader = new RawFormatHandler().open(raw);
        DiskImageWriter writer = handler.create(target, reader.virtualSize(), WriteOptions.DEFAULTS)) {
      DiskImages.convert(reader, writer, ProgressListener.NONE);
    }
  }

  static void fails(ThrowingCallable call, ErrorCode code, String message) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(FerryException.class, e -> assertThat(e.code()).isEqualTo(code))
        .hasMessageContaining(message);
  }

  static byte[] read(Path path, long offset, int length) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      ByteBuffer buffer = ByteBuffer.allocate(length);
      channel.read(buffer, offset);
      return buffer.array();
    }
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
