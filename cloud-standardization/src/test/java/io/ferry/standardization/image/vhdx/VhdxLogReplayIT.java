package io.ferry.standardization.image.vhdx;

import static io.ferry.standardization.image.vhd.DiskFixtures.content;
import static io.ferry.standardization.image.vhd.DiskFixtures.qemuImgOk;
import static io.ferry.standardization.image.vhd.DiskFixtures.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.vhd.DiskFixtures;
import io.ferry.standardization.image.vhd.DiskFixtures.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VHDX files whose log holds updates never applied, as a host crash leaves them: made by qemu-img,
 * then given a log (written here as MS-VHDX 2.3 lays it out) and stale structures. Ferry must read
 * them as they are after replay, which qemu-img does when it opens a copy read-write ({@code
 * qemu-img check -r all}): the oracle for every case. The file itself is never changed.
 */
class VhdxLogReplayIT {

  private static final int SECTOR = 4096;
  private static final long MIB = 1 << 20;
  private static final long[] HEADERS = {64 * 1024, 128 * 1024};

  @TempDir Path directory;
  private Path raw;
  private Path image;
  private long table;
  private long logOffset;
  private long logLength;
  private UUID logGuid;

  @BeforeEach
  void writeCleanImage() throws Exception {
    raw = DiskFixtures.raw(directory.resolve("source.raw"), Shape.MIXED, 17);
    image = directory.resolve("disk.vhdx");
    qemuImgOk("convert", "-f", "raw", "-O", "vhdx", "-o", "subformat=dynamic,block_size=1M", raw.toString(),
        image.toString());
    ByteBuffer regions = read(192 * 1024, 64 * 1024);
    for (int index = 0; index < regions.getInt(8); index++) {
      if (VhdxReader.guid(regions, 16 + 32 * index).equals(VhdxReader.BAT_REGION)) {
        table = regions.getLong(16 + 32 * index + 16);
      }
    }
    ByteBuffer header = read(HEADERS[0], SECTOR);
    logLength = Integer.toUnsignedLong(header.getInt(68));
    logOffset = header.getLong(72);
    assertThat(table).isPositive();
    assertThat(logLength).isGreaterThanOrEqualTo(MIB);
    logGuid = UUID.randomUUID();
  }

  @Test
  void aTableUpdateLeftInTheLogIsReplayedWithoutTouchingTheFile() throws Exception {
    byte[] fresh = bytes(table, SECTOR);
    assertThat(entryState(fresh, 0)).isEqualTo(VhdxReader.FULLY_PRESENT);
    byte[] stale = fresh.clone();
    ByteBuffer.wrap(stale).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 0).putLong(8, 0); // blocks 0, 1 absent
    patch(table, stale);
    writeLog(0, entry(9, 0, List.of(new Data(table, fresh))));
    String before = sha256(image);

    assertReadAsQemuReplaysIt();
    try (DiskImageReader reader = new VhdxFormatHandler().open(image)) {
      assertThat(readAll(reader)).isEqualTo(content(raw, Shape.MIXED.size()));
    }
    assertThat(sha256(image)).as("the dirty file is left as it was").isEqualTo(before);
  }

  @Test
  void onlyTheNewestSequenceIsReplayedInOrderWithItsZeroDescriptors() throws Exception {
    byte[] fresh = bytes(table, SECTOR);
    long block2 = (ByteBuffer.wrap(fresh).order(ByteOrder.LITTLE_ENDIAN).getLong(16) >>> 20) * MIB;
    byte[] garbage = new byte[SECTOR];
    Arrays.fill(garbage, (byte) 0x5a);
    byte[] stale = fresh.clone();
    ByteBuffer.wrap(stale).order(ByteOrder.LITTLE_ENDIAN).putLong(8, 0);
    patch(table, stale);
    // an older, superseded sequence elsewhere in the log: it must not be replayed
    writeLog(256 * 1024, entry(3, 256 * 1024, List.of(new Data(table, garbage))));
    // the active sequence: two entries, the second naming the first as its tail
    long first = 0;
    byte[] one = entry(7, first, List.of(new Data(table, garbage), new Zero(block2, 8 * SECTOR)));
    byte[] two = entry(8, first, List.of(new Data(table, fresh), new Data(block2 + SECTOR, sector(0x33))));
    writeLog(first, one);
    writeLog(first + one.length, two);

    Path replayed = assertReadAsQemuReplaysIt();
    byte[] expected = content(raw, Shape.MIXED.size());
    long disk2 = 2 * MIB;
    Arrays.fill(expected, (int) disk2, (int) disk2 + 8 * SECTOR, (byte) 0);
    Arrays.fill(expected, (int) disk2 + SECTOR, (int) disk2 + 2 * SECTOR, (byte) 0x33);
    try (DiskImageReader reader = new VhdxFormatHandler().open(image)) {
      assertThat(readAll(reader)).isEqualTo(expected);
      assertThat(reader.notes()).containsExactly("VHDX log replayed in memory: 2 entries (sequence 7 to 8) with 4"
          + " updates the file's writer never applied; the file is left as it is");
    }
    assertThat(Files.exists(replayed)).isTrue();
  }

  @Test
  void aSequenceThatWrapsAroundTheEndOfTheLogIsReplayed() throws Exception {
    byte[] fresh = bytes(table, SECTOR);
    byte[] stale = fresh.clone();
    ByteBuffer.wrap(stale).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 0);
    patch(table, stale);
    // one descriptor sector and one data sector: starts in the log's last sector, ends in its first
    long position = logLength - SECTOR;
    writeLog(position, entry(12, position, List.of(new Data(table, fresh))));

    assertReadAsQemuReplaysIt();
    try (DiskImageReader reader = new VhdxFormatHandler().open(image)) {
      assertThat(readAll(reader)).isEqualTo(content(raw, Shape.MIXED.size()));
    }
  }

  /**
   * A file whose last block never reached the disk while the log did: the file is as long as the
   * log's last file offset, the lost block reads as zeros. (qemu-img does not extend the file before
   * it checks the table, so it is no oracle here.)
   */
  @Test
  void aBlockPastTheEndOfAFileTheLogExtendsReadsAsZeros() throws Exception {
    ByteBuffer entries = ByteBuffer.wrap(bytes(table, SECTOR)).order(ByteOrder.LITTLE_ENDIAN);
    int lastBlock = -1;
    long highest = 0;
    for (int block = 0; block < 6; block++) {
      long offset = (entries.getLong(block * 8) >>> 20) * MIB;
      if (offset > highest) {
        highest = offset;
        lastBlock = block;
      }
    }
    long size = (Files.size(image) + MIB - 1) / MIB * MIB;
    try (FileChannel channel = FileChannel.open(image, StandardOpenOption.WRITE)) {
      channel.truncate(highest);
    }
    writeLog(0, entry(4, 0, highest, size, List.of(new Data(table, bytes(table, SECTOR)))));

    byte[] expected = content(raw, Shape.MIXED.size());
    int from = (int) (lastBlock * MIB);
    Arrays.fill(expected, from, (int) Math.min(expected.length, from + MIB), (byte) 0);
    try (DiskImageReader reader = new VhdxFormatHandler().open(image)) {
      assertThat(readAll(reader)).isEqualTo(expected);
    }
    assertThat(Files.size(image)).as("the file is not extended").isEqualTo(highest);
  }

  @Test
  void aLogWithoutAValidEntryIsCorrupt() throws Exception {
    byte[] entry = entry(5, 0, List.of(new Data(table, bytes(table, SECTOR))));
    entry[SECTOR + 100] ^= 1; // a torn data sector: the checksum no longer matches
    writeLog(0, entry);
    assertThatThrownBy(() -> new VhdxFormatHandler().open(image))
        .isInstanceOf(FerryException.class)
        .satisfies(e -> assertThat(((FerryException) e).code()).isEqualTo(ErrorCode.IMAGE_CORRUPT))
        .hasMessageContaining("holds no valid sequence of entries")
        .hasMessageContaining("at offset " + logOffset);
  }

  @Test
  void aFileShorterThanTheLogSaysItWasIsTruncated() throws Exception {
    long size = Files.size(image);
    writeLog(0, entry(5, 0, size + 4 * MIB, size + 4 * MIB, List.of(new Data(table, bytes(table, SECTOR)))));
    assertThatThrownBy(() -> new VhdxFormatHandler().open(image))
        .isInstanceOf(FerryException.class)
        .satisfies(e -> assertThat(((FerryException) e).code()).isEqualTo(ErrorCode.IMAGE_CORRUPT))
        .hasMessageContaining("is truncated")
        .hasMessageContaining(String.valueOf(size + 4 * MIB));
  }

  // --- the oracle -----------------------------------------------------------------------------

  /**
   * Has qemu-img replay the log of a copy (it does so when it opens the file read-write), then checks
   * that Ferry reads the dirty original exactly as qemu-img reads the replayed copy.
   */
  private Path assertReadAsQemuReplaysIt() throws Exception {
    Path copy = directory.resolve("replayed-by-qemu.vhdx");
    Files.copy(image, copy, StandardCopyOption.REPLACE_EXISTING);
    DiskFixtures.Result check = DiskFixtures.qemuImg("check", "-r", "all", "-f", "vhdx", copy.toString());
    assertThat(check.exitCode()).as("qemu-img check -r all: %s", check.output()).isIn(0, 3);
    assertThat(VhdxReader.guid(read(copy, HEADERS[0], SECTOR), 48).equals(new UUID(0, 0))
            || VhdxReader.guid(read(copy, HEADERS[1], SECTOR), 48).equals(new UUID(0, 0)))
        .as("qemu-img replayed the log and cleared its GUID").isTrue();
    Path fromQemu = directory.resolve("from-qemu.raw");
    qemuImgOk("convert", "-f", "vhdx", "-O", "raw", copy.toString(), fromQemu.toString());
    try (DiskImageReader reader = new VhdxFormatHandler().open(image)) {
      assertThat(readAll(reader)).isEqualTo(content(fromQemu, reader.virtualSize()));
    }
    return copy;
  }

  // --- writing a log ----------------------------------------------------------------------------

  /** A data descriptor and its data sector: {@code sector} goes to {@code fileOffset}. */
  private record Data(long fileOffset, byte[] sector) {}

  /** A zero descriptor. */
  private record Zero(long fileOffset, long length) {}

  private byte[] entry(long sequence, long tail, List<Object> descriptors) throws IOException {
    long size = (Files.size(image) + MIB - 1) / MIB * MIB;
    return entry(sequence, tail, size, size, descriptors);
  }

  /** One log entry (MS-VHDX 2.3.1) with {@code descriptors}, its checksum set. */
  private byte[] entry(long sequence, long tail, long flushed, long last, List<Object> descriptors) {
    int descriptorSectors = (64 + 32 * descriptors.size() + SECTOR - 1) / SECTOR;
    List<Data> data = new ArrayList<>();
    for (Object descriptor : descriptors) {
      if (descriptor instanceof Data d) {
        data.add(d);
      }
    }
    int length = (descriptorSectors + data.size()) * SECTOR;
    ByteBuffer entry = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    entry.putInt(0, 0x65676f6c).putInt(8, length).putInt(12, (int) tail).putLong(16, sequence)
        .putInt(24, descriptors.size()).putLong(48, flushed).putLong(56, last);
    putGuid(entry, 32, logGuid);
    int dataIndex = 0;
    for (int index = 0; index < descriptors.size(); index++) {
      int at = 64 + 32 * index;
      if (descriptors.get(index) instanceof Zero zero) {
        entry.putInt(at, 0x6f72657a).putLong(at + 8, zero.length()).putLong(at + 16, zero.fileOffset());
      } else {
        Data d = (Data) descriptors.get(index);
        ByteBuffer sector = ByteBuffer.wrap(d.sector()).order(ByteOrder.LITTLE_ENDIAN);
        entry.putInt(at, 0x63736564).putInt(at + 4, sector.getInt(SECTOR - 4)).putLong(at + 8, sector.getLong(0))
            .putLong(at + 16, d.fileOffset());
        int place = (descriptorSectors + dataIndex++) * SECTOR;
        entry.put(place, d.sector(), 0, SECTOR);
        entry.putInt(place, 0x61746164).putInt(place + 4, (int) (sequence >>> 32))
            .putInt(place + SECTOR - 4, (int) sequence);
      }
      entry.putLong(at + 24, sequence);
    }
    CRC32C crc = new CRC32C();
    crc.update(entry.array());
    entry.putInt(4, (int) crc.getValue());
    return entry.array();
  }

  /** Writes {@code entry} at {@code position} of the log (wrapping) and names the log in both headers. */
  private void writeLog(long position, byte[] entry) throws IOException {
    int first = (int) Math.min(entry.length, logLength - position);
    patch(logOffset + position, Arrays.copyOfRange(entry, 0, first));
    if (first < entry.length) {
      patch(logOffset, Arrays.copyOfRange(entry, first, entry.length));
    }
    for (long header : HEADERS) {
      ByteBuffer bytes = read(header, SECTOR);
      putGuid(bytes, 48, logGuid);
      bytes.putInt(4, 0);
      CRC32C crc = new CRC32C();
      crc.update(bytes.array());
      bytes.putInt(4, (int) crc.getValue());
      patch(header, bytes.array());
    }
  }

  private static void putGuid(ByteBuffer bytes, int offset, UUID guid) {
    long high = guid.getMostSignificantBits();
    bytes.order(ByteOrder.LITTLE_ENDIAN).putInt(offset, (int) (high >>> 32))
        .putShort(offset + 4, (short) (high >>> 16)).putShort(offset + 6, (short) high);
    ByteBuffer.wrap(bytes.array(), offset + 8, 8).order(ByteOrder.BIG_ENDIAN).putLong(guid.getLeastSignificantBits());
  }

  private static byte[] sector(int value) {
    byte[] sector = new byte[SECTOR];
    Arrays.fill(sector, (byte) value);
    return sector;
  }

  private static int entryState(byte[] tableSector, int block) {
    return (int) (ByteBuffer.wrap(tableSector).order(ByteOrder.LITTLE_ENDIAN).getLong(block * 8) & 7);
  }

  private byte[] bytes(long offset, int length) throws IOException {
    return read(offset, length).array();
  }

  private ByteBuffer read(long offset, int length) throws IOException {
    return read(image, offset, length);
  }

  private static ByteBuffer read(Path file, long offset, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      while (buffer.hasRemaining() && channel.read(buffer, offset + buffer.position()) >= 0) {
        // read on
      }
    }
    return buffer.flip().order(ByteOrder.LITTLE_ENDIAN);
  }

  private void patch(long offset, byte[] bytes) throws IOException {
    try (FileChannel channel = FileChannel.open(image, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer, offset + buffer.position());
      }
    }
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
