package io.ferry.standardization.image.vmdk;

import static io.ferry.standardization.image.vhd.DiskFixtures.checkedExtents;
import static io.ferry.standardization.image.vhd.DiskFixtures.content;
import static io.ferry.standardization.image.vhd.DiskFixtures.qemuImgOk;
import static io.ferry.standardization.image.vhd.DiskFixtures.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.standardization.ProgressListener;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.DiskImages;
import io.ferry.standardization.image.Extent;
import io.ferry.standardization.image.ExtentType;
import io.ferry.standardization.image.ImageFormatHandler;
import io.ferry.standardization.image.ImageProbe;
import io.ferry.standardization.image.WriteOptions;
import io.ferry.standardization.image.raw.RawFormatHandler;
import io.ferry.standardization.image.vhd.DiskFixtures;
import io.ferry.standardization.image.vhd.DiskFixtures.Shape;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** VMDK readers and the streamOptimized writer against qemu-img's {@code vmdk} driver. */
class VmdkIT {

  @TempDir Path directory;

  @ParameterizedTest
  @EnumSource(Shape.class)
  void readsQemuImagesOfEverySubformatByteForByte(Shape shape) throws Exception {
    Path raw = DiskFixtures.raw(directory.resolve("source.raw"), shape, 21);
    byte[] expected = content(raw, shape.size());
    for (String options :
        List.of(
            "subformat=monolithicSparse",
            "subformat=monolithicSparse,zeroed_grain=on",
            "subformat=streamOptimized",
            "subformat=monolithicFlat")) {
      Path vmdk = directory.resolve(options.replace(',', '-').replace('=', '-') + ".vmdk");
      qemuImgOk("convert", "-f", "raw", "-O", "vmdk", "-o", options, raw.toString(), vmdk.toString());
      DiskFormat expectedFormat =
          options.contains("Flat")
              ? DiskFormat.VMDK_MONOLITHIC_FLAT
              : options.contains("stream")
                  ? DiskFormat.VMDK_STREAM_OPTIMIZED
                  : DiskFormat.VMDK_MONOLITHIC_SPARSE;
      assertThat(detect(vmdk).format()).as(options).isEqualTo(expectedFormat);
      try (DiskImageReader reader = detect(vmdk).open(vmdk)) {
        assertThat(reader.format()).isEqualTo(expectedFormat);
        assertThat(reader.virtualSize()).isEqualTo(shape.size());
        assertThat(readAll(reader)).as(options).isEqualTo(expected);
        List<Extent> extents = checkedExtents(reader);
        if (shape == Shape.EMPTY && !options.contains("Flat")) {
          assertThat(extents).noneMatch(extent -> extent.type() == ExtentType.DATA);
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Shape.class)
  void writesStreamOptimizedImagesThatQemuFindsIdenticalAndClean(Shape shape) throws Exception {
    Path raw = DiskFixtures.raw(directory.resolve("source.raw"), shape, 22);
    Path vmdk = directory.resolve("out.vmdk");
    try (DiskImageReader reader = new RawFormatHandler().open(raw);
        DiskImageWriter writer =
            new VmdkStreamOptimizedFormatHandler()
                .create(vmdk, reader.virtualSize(), WriteOptions.DEFAULTS)) {
      DiskImages.convert(reader, writer, ProgressListener.NONE);
    }
    qemuImgOk("check", "-f", "vmdk", vmdk.toString());
    qemuImgOk("compare", "-f", "raw", "-F", "vmdk", raw.toString(), vmdk.toString());
    assertThat(qemuImgOk("info", "--output=json", vmdk.toString()))
        .contains("\"virtual-size\": " + shape.size())
        .contains("streamOptimized");
    assertThat(detect(vmdk).format()).isEqualTo(DiskFormat.VMDK_STREAM_OPTIMIZED);
    try (DiskImageReader reader = VmdkImages.open(vmdk)) {
      assertThat(readAll(reader)).isEqualTo(content(raw, shape.size()));
    }
    // qemu converts Ferry's stream back to the same raw disk
    Path back = directory.resolve("back.raw");
    qemuImgOk("convert", "-f", "vmdk", "-O", "raw", vmdk.toString(), back.toString());
    assertThat(content(back, shape.size())).isEqualTo(content(raw, shape.size()));
    if (shape == Shape.EMPTY) {
      assertThat(Files.size(vmdk)).isLessThan(128 * 1024);
    }
  }

  /**
   * VMware Workstation's split disks of more than 2 GiB: a descriptor and three extent files,
   * hosted sparse or flat, with data at the first byte, across both extent boundaries and at the
   * last byte. Ferry reads them as qemu-img does, maps only what is allocated (the flat extents'
   * holes are holes) and converts them byte for byte.
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"twoGbMaxExtentSparse", "twoGbMaxExtentFlat"})
  void splitDisksReadAcrossTheirExtentFiles(String subformat) throws Exception {
    long size = 5_000_000_000L;
    long boundary = 2L << 30; // where qemu-img starts the second extent
    Path raw = directory.resolve("split.raw");
    java.util.Random random = new java.util.Random(7);
    try (FileChannel channel = FileChannel.open(raw, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (long offset : new long[] {0, boundary - 4096, 2 * boundary - 512, size - 65536}) {
        byte[] data = new byte[65536];
        random.nextBytes(data);
        channel.write(java.nio.ByteBuffer.wrap(data), offset);
      }
      channel.truncate(size);
    }
    Path vmdk = directory.resolve(subformat + ".vmdk");
    qemuImgOk("convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=" + subformat, raw.toString(), vmdk.toString());
    try (var listing = Files.list(directory)) {
      assertThat(listing.filter(file -> file.getFileName().toString().startsWith(subformat + "-")))
          .as("extent files").hasSize(3);
    }
    assertThat(DiskImages.detect(vmdk)).isEqualTo(DiskFormat.VMDK_MONOLITHIC_FLAT);
    Path output = directory.resolve(subformat + ".qcow2");
    try (DiskImageReader reader = DiskImages.open(vmdk)) {
      assertThat(reader.virtualSize()).isEqualTo(size);
      List<Extent> extents = checkedExtents(reader);
      long data = extents.stream().filter(extent -> extent.type() == ExtentType.DATA).mapToLong(Extent::length).sum();
      assertThat(data).as("allocated bytes of %s", extents).isBetween(4L * 65536, 64L << 20);
      java.nio.ByteBuffer across = java.nio.ByteBuffer.allocate(8192);
      reader.read(boundary - 4096, across);
      byte[] expected = new byte[8192];
      try (FileChannel channel = FileChannel.open(raw, StandardOpenOption.READ)) {
        channel.read(java.nio.ByteBuffer.wrap(expected), boundary - 4096);
      }
      assertThat(across.array()).as("a read across the first extent boundary").isEqualTo(expected);
      try (DiskImageWriter writer = DiskImages.create(output, DiskFormat.QCOW2, size, WriteOptions.DEFAULTS)) {
        DiskImages.convert(reader, writer, ProgressListener.NONE);
      }
    }
    assertThat(qemuImgOk("compare", "-f", "raw", "-F", "qcow2", raw.toString(), output.toString()))
        .contains("Images are identical");
  }

  @Test
  void refusesSparseExtentsThatAreNotSparseExtentFilesOrTooSmall() throws Exception {
    Path descriptor = directory.resolve("split.vmdk");
    Files.write(directory.resolve("split-s001.vmdk"), new byte[4096]);
    Files.writeString(
        descriptor,
        "# Disk DescriptorFile\nversion=1\nCID=1\nparentCID=ffffffff\ncreateType=\"twoGbMaxExtentSparse\"\n"
            + "RW 8 SPARSE \"split-s001.vmdk\"\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> VmdkImages.open(descriptor))
        .hasMessageContaining("split-s001.vmdk")
        .hasMessageContaining("no sparse extent header");
    Path small = directory.resolve("small.raw");
    Files.write(small, new byte[1 << 20]);
    qemuImgOk("convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=monolithicSparse", small.toString(),
        directory.resolve("split-s001.vmdk").toString());
    Files.writeString(
        descriptor,
        "# Disk DescriptorFile\nversion=1\nCID=1\nparentCID=ffffffff\ncreateType=\"twoGbMaxExtentSparse\"\n"
            + "RW 4096 SPARSE \"split-s001.vmdk\"\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> VmdkImages.open(descriptor))
        .hasMessageContaining("holds a sparse extent of 1048576 bytes")
        .hasMessageContaining("needs 2097152");
  }

  @Test
  void refusesFlatExtentsOutsideTheDescriptorsFolder() throws Exception {
    Path inner = Files.createDirectories(directory.resolve("inner"));
    Files.write(directory.resolve("secret-flat.vmdk"), new byte[4096]);
    Path descriptor = inner.resolve("disk.vmdk");
    Files.writeString(
        descriptor,
        "# Disk DescriptorFile\nversion=1\nCID=1\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\n"
            + "RW 8 FLAT \"../secret-flat.vmdk\" 0\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> VmdkImages.open(descriptor))
        .hasMessageContaining("outside the descriptor's folder");
    Files.writeString(
        descriptor,
        "# Disk DescriptorFile\nversion=1\nCID=1\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\n"
            + "RW 8 FLAT \"" + directory.resolve("secret-flat.vmdk") + "\" 0\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> VmdkImages.open(descriptor))
        .hasMessageContaining("absolute extent path");
    Files.createSymbolicLink(inner.resolve("link-flat.vmdk"), directory.resolve("secret-flat.vmdk"));
    Files.writeString(
        descriptor,
        "# Disk DescriptorFile\nversion=1\nCID=1\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\n"
            + "RW 8 FLAT \"link-flat.vmdk\" 0\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> VmdkImages.open(descriptor))
        .hasMessageContaining("links outside");
  }

  static ImageFormatHandler detect(Path path) throws Exception {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      ImageProbe probe = new ImageProbe(path, channel);
      for (ImageFormatHandler handler :
          List.of(
              new VmdkSparseFormatHandler(),
              new VmdkStreamOptimizedFormatHandler(),
              new VmdkFlatFormatHandler())) {
        if (handler.matches(probe)) {
          return handler;
        }
      }
    }
    return new RawFormatHandler();
  }
}
