package io.ferry.standardization.image.vhd;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.Extent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Test disks for the VMDK, VHD, VHDX, OVA and GCP format tests: small raw files with random data,
 * written zero runs and holes at odd offsets, plus helpers that run {@code qemu-img}.
 */
public final class DiskFixtures {

  public static final int KIB = 1024;
  public static final int MIB = 1024 * KIB;

  private DiskFixtures() {}

  /** The shapes every format is tested with. */
  public enum Shape {
    /** Random data, holes and written zero runs, at offsets that are not grain or block aligned. */
    MIXED(5L * MIB + 3 * 512),
    /** Nothing written at all. */
    EMPTY(3L * MIB + 512),
    /** Random data everywhere. */
    FULL(2L * MIB + 7 * 512);

    private final long size;

    Shape(long size) {
      this.size = size;
    }

    public long size() {
      return size;
    }
  }

  /** Writes a raw disk of {@code shape} to {@code path} (holes are sparse). */
  public static Path raw(Path path, Shape shape, long seed) throws IOException {
    Random random = new Random(seed);
    try (FileChannel channel =
        FileChannel.open(
            path,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      switch (shape) {
        case MIXED -> {
          writeRandom(channel, random, 0, 300 * KIB + 512);
          // a hole from 300.5 KiB to 1 MiB + 1 KiB
          writeRandom(channel, random, MIB + KIB, 700 * KIB);
          writeZeros(channel, MIB + KIB + 700 * KIB, 200 * KIB); // written zeros
          writeRandom(channel, random, 2L * MIB + 512, 512); // one lone sector
          writeRandom(channel, random, 3L * MIB - 4 * KIB, 70 * KIB); // crosses a 64 KiB grain
          writeRandom(channel, random, shape.size() - 1536, 1536); // the partial last grain
        }
        case EMPTY -> {}
        case FULL -> writeRandom(channel, random, 0, (int) shape.size());
      }
      if (channel.size() < shape.size()) {
        channel.truncate(shape.size());
        channel.write(ByteBuffer.allocate(1), shape.size() - 1);
      }
    }
    return path;
  }

  private static void writeRandom(FileChannel channel, Random random, long offset, int length)
      throws IOException {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    // make some of it compressible text-like data
    for (int index = 0; index < length / 3; index++) {
      bytes[index] = (byte) ('a' + index % 26);
    }
    writeFully(channel, ByteBuffer.wrap(bytes), offset);
  }

  private static void writeZeros(FileChannel channel, long offset, int length) throws IOException {
    writeFully(channel, ByteBuffer.allocate(length), offset);
  }

  private static void writeFully(FileChannel channel, ByteBuffer buffer, long offset)
      throws IOException {
    long position = offset;
    while (buffer.hasRemaining()) {
      position += channel.write(buffer, position);
    }
  }

  /** Reads the whole virtual disk through {@code reader} in odd-sized pieces. */
  public static byte[] readAll(DiskImageReader reader) throws IOException {
    long size = reader.virtualSize();
    assertThat(size).isLessThan(Integer.MAX_VALUE);
    byte[] all = new byte[(int) size];
    int position = 0;
    int piece = 100_000;
    while (position < size) {
      int length = (int) Math.min(piece, size - position);
      reader.read(position, ByteBuffer.wrap(all, position, length));
      position += length;
      piece = piece == 100_000 ? 37 * 512 : 100_000;
    }
    return all;
  }

  /** The extents of {@code reader}, checked to be adjacent and to cover the disk exactly. */
  public static List<Extent> checkedExtents(DiskImageReader reader) throws IOException {
    List<Extent> extents = new ArrayList<>();
    long expected = 0;
    for (Iterator<Extent> iterator = reader.extents(); iterator.hasNext(); ) {
      Extent extent = iterator.next();
      assertThat(extent.offset()).isEqualTo(expected);
      expected = extent.end();
      extents.add(extent);
    }
    assertThat(expected).isEqualTo(reader.virtualSize());
    return extents;
  }

  /** The bytes of {@code raw} padded with zeros to {@code size}. */
  public static byte[] content(Path raw, long size) throws IOException {
    byte[] bytes = Files.readAllBytes(raw);
    byte[] padded = new byte[(int) size];
    System.arraycopy(bytes, 0, padded, 0, (int) Math.min(bytes.length, size));
    return padded;
  }

  /** Runs {@code qemu-img} with {@code arguments}; returns its exit status and output. */
  public static Result qemuImg(String... arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("qemu-img");
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output;
    try (InputStream stream = process.getInputStream()) {
      output = new String(stream.readAllBytes());
    }
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("qemu-img " + arguments[0] + " did not finish");
    }
    return new Result(process.exitValue(), output);
  }

  /** Runs {@code qemu-img} and fails unless it exits 0. */
  public static String qemuImgOk(String... arguments) throws IOException, InterruptedException {
    Result result = qemuImg(arguments);
    assertThat(result.exitCode()).as("qemu-img %s: %s", List.of(arguments), result.output()).isZero();
    return result.output();
  }

  /** Exit status and combined output of a tool. */
  public record Result(int exitCode, String output) {}
}
