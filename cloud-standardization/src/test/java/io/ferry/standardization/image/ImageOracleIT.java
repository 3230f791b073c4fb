package io.ferry.standardization.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.standardization.ProgressListener;
import io.ferry.standardization.image.TestImages.Pattern;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The oracle matrix: qemu-img makes every input format from random raw disks, Ferry converts each
 * into every output format, and qemu-img judges the result (compare against the raw source,
 * check for consistency). Ferry must also read every qemu-img output identically. A new format
 * joins by adding one line to {@link Source} and/or {@link Target}.
 */
class ImageOracleIT {

  /** Input formats qemu-img can produce, with the options that make each variant. */
  enum Source {
    RAW("raw", DiskFormat.RAW),
    QCOW2_V2("qcow2", DiskFormat.QCOW2, "-o", "compat=0.10"),
    QCOW2_V3("qcow2", DiskFormat.QCOW2, "-o", "compat=1.1"),
    QCOW2_V3_SMALL_CLUSTERS("qcow2", DiskFormat.QCOW2, "-o", "compat=1.1,cluster_size=4096"),
    QCOW2_DEFLATE("qcow2", DiskFormat.QCOW2, "-c"),
    QCOW2_ZSTD("qcow2", DiskFormat.QCOW2, "-c", "-o", "compression_type=zstd"),
    QCOW2_SUBCLUSTERS("qcow2", DiskFormat.QCOW2, "-o", "compat=1.1,extended_l2=on,cluster_size=16384"),
    QCOW2_SUBCLUSTERS_COMPRESSED("qcow2", DiskFormat.QCOW2, "-c", "-o", "extended_l2=on"),
    VMDK_SPARSE("vmdk", DiskFormat.VMDK_MONOLITHIC_SPARSE, "-o", "subformat=monolithicSparse"),
    VMDK_SPARSE_ZEROED_GRAIN(
        "vmdk", DiskFormat.VMDK_MONOLITHIC_SPARSE, "-o", "subformat=monolithicSparse,zeroed_grain=on"),
    VMDK_STREAM("vmdk", DiskFormat.VMDK_STREAM_OPTIMIZED, "-o", "subformat=streamOptimized"),
    VMDK_FLAT("vmdk", DiskFormat.VMDK_MONOLITHIC_FLAT, "-o", "subformat=monolithicFlat"),
    // VMware Workstation's split disks: a descriptor and hosted sparse (or flat) extent files
    VMDK_SPLIT_SPARSE("vmdk", DiskFormat.VMDK_MONOLITHIC_FLAT, "-o", "subformat=twoGbMaxExtentSparse"),
    VMDK_SPLIT_FLAT("vmdk", DiskFormat.VMDK_MONOLITHIC_FLAT, "-o", "subformat=twoGbMaxExtentFlat"),
    VHD_FIXED("vpc", DiskFormat.VHD_FIXED, "-o", "subformat=fixed,force_size=on"),
    VHD_DYNAMIC("vpc", DiskFormat.VHD_DYNAMIC, "-o", "subformat=dynamic,force_size=on"),
    VHDX_DYNAMIC("vhdx", DiskFormat.VHDX, "-o", "subformat=dynamic"),
    VHDX_FIXED("vhdx", DiskFormat.VHDX, "-o", "subformat=fixed");
    // VMDK, VHD and VHDX variants join here, one line each.

    final String qemuFormat;
    final DiskFormat format;
    final String[] options;

    Source(String qemuFormat, DiskFormat format, String... options) {
      this.qemuFormat = qemuFormat;
      this.format = format;
      this.options = options;
    }
  }

  /**
   * Output formats Ferry writes. {@code qemuFormat} is how qemu-img reads the output (null when
   * it cannot: the result is then read back by Ferry); {@code checkable} whether {@code qemu-img
   * check} applies.
   */
  enum Target {
    RAW(DiskFormat.RAW, "raw", false, WriteOptions.DEFAULTS),
    QCOW2(DiskFormat.QCOW2, "qcow2", true, WriteOptions.DEFAULTS),
    QCOW2_COMPRESSED(DiskFormat.QCOW2, "qcow2", true, WriteOptions.DEFAULTS.withCompressed(true)),
    // 512-byte clusters: hundreds of L2 tables and refcount blocks interleaved with the data.
    QCOW2_TINY_CLUSTERS(DiskFormat.QCOW2, "qcow2", true, WriteOptions.DEFAULTS.withClusterSize(512)),
    QCOW2_TINY_CLUSTERS_COMPRESSED(
        DiskFormat.QCOW2,
        "qcow2",
        true,
        WriteOptions.DEFAULTS.withClusterSize(512).withCompressed(true)),
    VMDK_STREAM_OPTIMIZED(DiskFormat.VMDK_STREAM_OPTIMIZED, "vmdk", true, WriteOptions.DEFAULTS),
    VMDK_STREAM_OPTIMIZED_ONE_THREAD(
        DiskFormat.VMDK_STREAM_OPTIMIZED, "vmdk", true, WriteOptions.DEFAULTS.withThreads(1)),
    VHD_FIXED(DiskFormat.VHD_FIXED, "vpc", false, WriteOptions.DEFAULTS),
    VHD_DYNAMIC(DiskFormat.VHD_DYNAMIC, "vpc", false, WriteOptions.DEFAULTS),
    OVA(DiskFormat.OVA, null, false, WriteOptions.DEFAULTS), // checked with tar + qemu-img in OvaIT
    GCP_IMAGE_TAR(DiskFormat.GCP_IMAGE_TAR, null, false, WriteOptions.DEFAULTS); // in GcpArchiveIT
    // VMDK streamOptimized, VHD fixed and dynamic, OVA and the GCP archive join here.

    final DiskFormat format;
    final String qemuFormat;
    final boolean checkable;
    final WriteOptions options;

    Target(DiskFormat format, String qemuFormat, boolean checkable, WriteOptions options) {
      this.format = format;
      this.qemuFormat = qemuFormat;
      this.checkable = checkable;
      this.options = options;
    }
  }

  /** Disks: odd sizes (multiples of 512, not of 64 KiB), empty, full, zero-sized. */
  enum Disk {
    MIXED(3 * 1024 * 1024 + 3 * 512, Pattern.MIXED),
    EMPTY(2 * 1024 * 1024 + 512, Pattern.EMPTY),
    FULL(1024 * 1024 + 1536, Pattern.FULL),
    ZERO_SIZED(0, Pattern.EMPTY);

    final long size;
    final Pattern pattern;

    Disk(long size, Pattern pattern) {
      this.size = size;
      this.pattern = pattern;
    }
  }

  @TempDir static Path directory;
  private static final Map<String, Path> IMAGES = new ConcurrentHashMap<>();

  @BeforeAll
  static void needsQemuImg() {
    assumeTrue(QemuImg.available(), "qemu-img is not installed (scripts/test-packages.apt)");
  }

  static Stream<Arguments> conversions() {
    return Arrays.stream(Source.values())
        .flatMap(
            source ->
                Arrays.stream(Target.values())
                    .flatMap(
                        target ->
                            Arrays.stream(Disk.values()).filter(disk -> disk != Disk.ZERO_SIZED || (zeroSizedWorks(source.format) && zeroSizedWorks(target.format))).map(disk -> Arguments.of(source, target, disk))));
  }

  static Stream<Arguments> sources() {
    return Arrays.stream(Source.values())
        .flatMap(source -> Arrays.stream(Disk.values()).filter(disk -> disk != Disk.ZERO_SIZED || zeroSizedWorks(source.format)).map(disk -> Arguments.of(source, disk)));
  }

  /** qemu-img cannot make or open empty VMDKs or fixed VHDs (a 512-byte file is taken as dynamic); Ferry refuses to write them. */
  static boolean zeroSizedWorks(DiskFormat format) {
    return format != DiskFormat.VHD_FIXED && format != DiskFormat.OVA && !format.id().startsWith("vmdk");
  }

  @ParameterizedTest(name = "{0} -> {1}, {2}")
  @MethodSource("conversions")
  void ferryConvertsEveryInputToEveryOutputIdentically(Source source, Target target, Disk disk)
      throws IOException {
    Path raw = raw(disk);
    Path input = sourceImage(source, disk);
    Path output = directory.resolve(source + "-" + target + "-" + disk + ".out");

    try (DiskImageReader reader = DiskImages.open(input);
        DiskImageWriter writer =
            DiskImages.create(output, target.format, reader.virtualSize(), target.options)) {
      assertThat(reader.format()).isEqualTo(source.format);
      ConversionStats stats = DiskImages.convert(reader, writer, ProgressListener.NONE);
      assertThat(stats.bytesWritten()).isLessThanOrEqualTo(stats.bytesRead());
    }

    assertThat(output.resolveSibling(output.getFileName() + ".ferry-partial")).doesNotExist();
    if (target.qemuFormat != null) {
      QemuImg.Result compare = QemuImg.compare(raw, "raw", output, target.qemuFormat);
      assertThat(compare.exitCode()).as(compare.output()).isZero();
      long size = target.format == DiskFormat.VHD_FIXED ? (disk.size + (1 << 20) - 1) >> 20 << 20 : disk.size; // Azure's 1 MiB rounding
      assertThat(QemuImg.run(List.of("info", "-f", target.qemuFormat, output.toString())).orThrow().output()).contains("(" + size + " bytes)");
    } else {
      assertReadsAs(output, raw);
    }
    if (target.checkable) {
      QemuImg.Result check = QemuImg.check(output, target.qemuFormat);
      assertThat(check.exitCode()).as(check.output()).isZero();
      assertThat(check.output()).contains("No errors were found");
    }
    assertThat(DiskImages.detect(output)).isEqualTo(target.format);
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("sources")
  void ferryReadsQemuImgOutputIdentically(Source source, Disk disk) throws IOException {
    Path input = sourceImage(source, disk);
    assertThat(DiskImages.detect(input)).isEqualTo(source.format);
    assertReadsAs(input, raw(disk));
  }

  @ParameterizedTest
  @EnumSource(value = Disk.class, names = {"MIXED", "EMPTY"})
  void rawOutputIsSparse(Disk disk) throws IOException {
    Path input = sourceImage(Source.QCOW2_V3, disk);
    Path output = directory.resolve("sparse-" + disk + ".raw");
    try (DiskImageReader reader = DiskImages.open(input);
        DiskImageWriter writer =
            DiskImages.create(output, DiskFormat.RAW, reader.virtualSize(), WriteOptions.DEFAULTS)) {
      DiskImages.convert(reader, writer, ProgressListener.NONE);
    }
    long allocated = QemuImg.info(output).get("actual-size").asLong();
    assertThat(Files.size(output)).isEqualTo(disk.size);
    assertThat(allocated).isLessThan(disk.size * 3 / 4);
  }

  /**
   * Reads the whole image with Ferry and checks it equals the raw file byte for byte, and that
   * every range the extent map calls ZERO or UNALLOCATED really is zeros.
   */
  static void assertReadsAs(Path image, Path raw) throws IOException {
    try (DiskImageReader reader = DiskImages.open(image);
        FileChannel expected = FileChannel.open(raw, StandardOpenOption.READ)) {
      assertThat(reader.virtualSize()).isEqualTo(expected.size());
      long covered = 0;
      for (Iterator<Extent> extents = reader.extents(); extents.hasNext(); ) {
        Extent extent = extents.next();
        assertThat(extent.offset()).isEqualTo(covered);
        if (!extent.type().holdsData()) {
          assertZeros(expected, extent.offset(), extent.length());
        }
        covered = extent.end();
      }
      assertThat(covered).isEqualTo(reader.virtualSize());
      int block = 1 << 20;
      for (long offset = 0; offset < reader.virtualSize(); offset += block) {
        int length = (int) Math.min(block, reader.virtualSize() - offset);
        ByteBuffer actual = ByteBuffer.allocate(length);
        reader.read(offset, actual);
        ByteBuffer wanted = ByteBuffer.allocate(length);
        expected.read(wanted, offset);
        assertThat(actual.array()).as("bytes at offset %d", offset).isEqualTo(wanted.array());
      }
    }
  }

  private static void assertZeros(FileChannel channel, long offset, long length)
      throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(length, 1 << 20));
    for (long position = offset; position < offset + length; position += buffer.capacity()) {
      buffer.clear();
      buffer.limit((int) Math.min(buffer.capacity(), offset + length - position));
      channel.read(buffer, position);
      for (int i = 0; i < buffer.position(); i++) {
        assertThat(buffer.get(i)).as("byte at %d in a non-data extent", position + i).isZero();
      }
    }
  }

  static Path raw(Disk disk) {
    return IMAGES.computeIfAbsent(
        "raw-" + disk,
        key -> {
          try {
            return TestImages.writeRaw(
                directory.resolve(key + ".img"), disk.size, disk.pattern, disk.ordinal() + 17);
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  static Path sourceImage(Source source, Disk disk) {
    Path raw = raw(disk);
    return IMAGES.computeIfAbsent(
        source + "-" + disk,
        key -> {
          try {
            Path image = directory.resolve(key + "." + source.qemuFormat);
            QemuImg.convert(raw, "raw", image, source.qemuFormat, source.options);
            return image;
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  static List<Source> allSources() {
    return List.of(Source.values());
  }
}
