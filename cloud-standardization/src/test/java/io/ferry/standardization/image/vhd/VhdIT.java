package io.ferry.standardization.image.vhd;

import static io.ferry.standardization.image.vhd.DiskFixtures.checkedExtents;
import static io.ferry.standardization.image.vhd.DiskFixtures.content;
import static io.ferry.standardization.image.vhd.DiskFixtures.qemuImg;
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
import io.ferry.standardization.image.vhd.DiskFixtures.Shape;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** VHD fixed and dynamic against qemu-img's {@code vpc} driver. */
class VhdIT {

  @TempDir Path directory;

  @ParameterizedTest
  @EnumSource(Shape.class)
  void readsQemuDynamicAndFixedImagesByteForByte(Shape shape) throws Exception {
    Path raw = DiskFixtures.raw(directory.resolve("source.raw"), shape, 11);
    for (String subformat : List.of("dynamic", "fixed")) {
      Path vhd = directory.resolve(subformat + ".vhd");
      qemuImgOk("convert", "-f", "raw", "-O", "vpc", "-o", "subformat=" + subformat + ",force_size=on",
          raw.toString(), vhd.toString());
      ImageFormatHandler handler = detect(vhd);
      assertThat(handler.format())
          .isEqualTo(subformat.equals("fixed") ? DiskFormat.VHD_FIXED : DiskFormat.VHD_DYNAMIC);
      try (DiskImageReader reader = handler.open(vhd)) {
        assertThat(reader.virtualSize()).isEqualTo(shape.size());
        assertThat(readAll(reader)).isEqualTo(content(raw, shape.size()));
        List<Extent> extents = checkedExtents(reader);
        if (shape == Shape.EMPTY && subformat.equals("dynamic")) {
          assertThat(extents).allMatch(extent -> extent.type() == ExtentType.UNALLOCATED);
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Shape.class)
  void readsQemuImagesSizedByGeometry(Shape shape) throws Exception {
    Path raw = DiskFixtures.raw(directory.resolve("source.raw"), shape, 12);
    Path vhd = directory.resolve("chs.vhd");
    qemuImgOk("convert", "-f", "raw", "-O", "vpc", "-o", "subformat=dynamic", raw.toString(), vhd.toString());
    try (DiskImageReader reader = new VhdDynamicFormatHandler().open(vhd)) {
      assertThat(reader.virtualSize()).isGreaterThanOrEqualTo(shape.size());
      assertThat(readAll(reader)).isEqualTo(content(raw, reader.virtualSize()));
    }
  }

  @ParameterizedTest
  @EnumSource(Shape.class)
  void writesFixedVhdsThatQemuFindsIdenticalWithSizeRoundedToOneMebibyte(Shape shape)
      throws Exception {
    Path raw = DiskFixtures.raw(directory.resolve("source.raw"), shape, 13);
    Path vhd = directory.resolve("out.vhd");
    convert(raw, vhd, new VhdFixedFormatHandler());
    long rounded = (shape.size() + DiskFixtures.MIB - 1) / DiskFixtures.MIB * DiskFixtures.MIB;
    assertThat(Files.size(vhd)).isEqualTo(rounded + 512);
    assertThat(qemuImgOk("info", "--output=json", "-f", "vpc", vhd.toString()))
        .contains("\"virtual-size\": " + rounded);
    qemuImgOk("compare", "-f", "raw", "-F", "vpc", raw.toString(), vhd.toString());
    assertThat(detect(vhd).format()).isEqualTo(DiskFormat.VHD_FIXED);
    try (DiskImageReader reader = new VhdFixedFormatHandler().open(vhd)) {
      assertThat(readAll(reader)).isEqualTo(content(raw, rounded));
    }
  }

  @ParameterizedTest
  @EnumSource(Shape.class)
  void writesDynamicVhdsThatQemuFindsIdenticalAndClean(Shape shape) throws Exception {
    Path raw = DiskFixtures.raw(directory.resolve("source.raw"), shape, 14);
    Path vhd = directory.resolve("out.vhd");
    convert(raw, vhd, new VhdDynamicFormatHandler());
    assertThat(qemuImgOk("info", "--output=json", "-f", "vpc", vhd.toString()))
        .contains("\"virtual-size\": " + shape.size());
    qemuImgOk("compare", "-f", "raw", "-F", "vpc", raw.toString(), vhd.toString());
    DiskFixtures.Result check = qemuImg("check", "-f", "vpc", vhd.toString());
    assertThat(check.exitCode()).as(check.output()).isIn(0, 63); // 63: format has no check
    assertThat(detect(vhd).format()).isEqualTo(DiskFormat.VHD_DYNAMIC);
    try (DiskImageReader reader = new VhdDynamicFormatHandler().open(vhd)) {
      assertThat(readAll(reader)).isEqualTo(content(raw, shape.size()));
    }
    if (shape == Shape.EMPTY) {
      assertThat(Files.size(vhd)).isLessThan(8 * 1024);
    }
  }

  private static void convert(Path raw, Path target, ImageFormatHandler handler) throws Exception {
    try (DiskImageReader reader = new RawFormatHandler().open(raw);
        DiskImageWriter writer =
            handler.create(target, reader.virtualSize(), WriteOptions.DEFAULTS)) {
      DiskImages.convert(reader, writer, ProgressListener.NONE);
    }
  }

  private static ImageFormatHandler detect(Path path) throws Exception {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      ImageProbe probe = new ImageProbe(path, channel);
      for (ImageFormatHandler handler :
          List.of(new VhdDynamicFormatHandler(), new VhdFixedFormatHandler())) {
        if (handler.matches(probe)) {
          return handler;
        }
      }
    }
    return new RawFormatHandler();
  }
}
