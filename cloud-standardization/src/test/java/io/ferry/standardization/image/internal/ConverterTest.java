package io.ferry.standardization.image.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.ConversionStats;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.Extent;
import io.ferry.standardization.image.ExtentType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConverterTest {

  private static final int MIB = 1 << 20;

  @Test
  void copiesOnlyDataExtentsInAscendingOrderAndSkipsZeroRuns() throws Exception {
    byte[] disk = new byte[5 * MIB + 4096];
    new Random(7).nextBytes(disk);
    Arrays.fill(disk, MIB, 2 * MIB, (byte) 0); // unallocated: must never be read
    Arrays.fill(disk, 3 * MIB, 3 * MIB + 128 * 1024, (byte) 0); // zero run inside DATA
    List<Extent> extents =
        List.of(
            new Extent(0, MIB, ExtentType.DATA),
            new Extent(MIB, MIB, ExtentType.UNALLOCATED),
            new Extent(2 * MIB, 3 * MIB + 4096, ExtentType.DATA));
    FakeReader reader = new FakeReader(disk, extents);
    RecordingWriter writer = new RecordingWriter(disk.length);

    ConversionStats stats = new Converter(2).convert(reader, writer, (done, total) -> {});

    assertThat(writer.finished).isTrue();
    assertThat(writer.content).isEqualTo(disk);
    assertThat(reader.readRanges).noneMatch(r -> r[0] < 2 * MIB && r[0] + r[1] > MIB);
    assertThat(stats.bytesRead()).isEqualTo(4L * MIB + 4096);
    assertThat(stats.zeroBytesSkipped()).isEqualTo(128 * 1024);
    assertThat(stats.bytesWritten()).isEqualTo(4L * MIB + 4096 - 128 * 1024);
    for (int i = 1; i < writer.writes.size(); i++) {
      assertThat(writer.writes.get(i)[0]).isGreaterThanOrEqualTo(writer.writes.get(i - 1)[1]);
    }
  }

  @Test
  void refusesAGappedExtentMap() {
    FakeReader reader =
        new FakeReader(
            new byte[4 * MIB],
            List.of(new Extent(0, MIB, ExtentType.DATA), new Extent(2 * MIB, MIB, ExtentType.DATA)));
    assertThatThrownBy(
            () -> new Converter(1).convert(reader, new RecordingWriter(4 * MIB), (d, t) -> {}))
        .isInstanceOf(FerryException.class)
        .satisfies(e -> assertThat(((FerryException) e).code()).isEqualTo(ErrorCode.IMAGE_CORRUPT))
        .hasMessageContaining("offset 1048576");
  }

  @Test
  void refusesASmallerTarget() {
    FakeReader reader = new FakeReader(new byte[MIB], List.of(new Extent(0, MIB, ExtentType.DATA)));
    assertThatThrownBy(() -> new Converter(1).convert(reader, new RecordingWriter(512), (d, t) -> {}))
        .isInstanceOf(FerryException.class)
        .hasMessageContaining("smaller");
  }

  private static final class FakeReader implements DiskImageReader {
    final byte[] disk;
    final List<Extent> extents;
    final List<long[]> readRanges = new ArrayList<>();

    FakeReader(byte[] disk, List<Extent> extents) {
      this.disk = disk;
      this.extents = extents;
    }

    @Override
    public DiskFormat format() {
      return DiskFormat.RAW;
    }

    @Override
    public long virtualSize() {
      return disk.length;
    }

    @Override
    public Iterator<Extent> extents() {
      return extents.iterator();
    }

    @Override
    public synchronized void read(long offset, ByteBuffer destination) {
      readRanges.add(new long[] {offset, destination.remaining()});
      destination.put(disk, (int) offset, destination.remaining());
    }

    @Override
    public void close() {}
  }

  private static final class RecordingWriter implements DiskImageWriter {
    final byte[] content;
    final List<long[]> writes = new ArrayList<>();
    boolean finished;

    RecordingWriter(int size) {
      content = new byte[size];
    }

    @Override
    public DiskFormat format() {
      return DiskFormat.RAW;
    }

    @Override
    public long virtualSize() {
      return content.length;
    }

    @Override
    public void write(long offset, ByteBuffer data) {
      writes.add(new long[] {offset, offset + data.remaining()});
      data.get(content, (int) offset, data.remaining());
    }

    @Override
    public void finish() {
      finished = true;
    }

    @Override
    public void close() {}
  }
}
