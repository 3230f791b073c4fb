package io.ferry.standardization.image.vhdx;

import static io.ferry.standardization.image.vhd.DiskFixtures.checkedExtents;
import static io.ferry.standardization.image.vhd.DiskFixtures.content;
import static io.ferry.standardization.image.vhd.DiskFixtures.qemuImgOk;
import static io.ferry.standardization.image.vhd.DiskFixtures.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.Extent;
import io.ferry.standardization.image.ExtentType;
import io.ferry.standardization.image.ImageProbe;
import io.ferry.standardization.image.vhd.DiskFixtures;
import io.ferry.standardization.image.vhd.DiskFixtures.Shape;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The VHDX reader against images made by qemu-img's {@code vhdx} driver. */
class VhdxIT {

  @TempDir Path directory;

  @ParameterizedTest
  @EnumSource(Shape.class)
  void readsQemuDynamicAndFixedImagesByteForByte(Shape shape) throws Exception {
    Path raw = DiskFixtures.raw(directory.resolve("source.raw"), shape, 31);
    for (String options :
        List.of("subformat=dynamic", "subformat=fixed", "subformat=dynamic,block_size=8M,block_state_zero=on")) {
      Path vhdx = directory.resolve("disk.vhdx");
      qemuImgOk("convert", "-f", "raw", "-O", "vhdx", "-o", options, raw.toString(), vhdx.toString());
      try (FileChannel channel = FileChannel.open(vhdx, StandardOpenOption.READ)) {
        assertThat(new VhdxFormatHandler().matches(new ImageProbe(vhdx, channel))).isTrue();
      }
      try (DiskImageReader reader = new VhdxFormatHandler().open(vhdx)) {
        assertThat(reader.format()).isEqualTo(DiskFormat.VHDX);
        assertThat(reader.virtualSize()).isEqualTo(shape.size());
        assertThat(readAll(reader)).as(options).isEqualTo(content(raw, shape.size()));
        List<Extent> extents = checkedExtents(reader);
        if (shape == Shape.EMPTY && options.contains("dynamic")) {
          assertThat(extents).noneMatch(extent -> extent.type() == ExtentType.DATA);
        }
      }
    }
  }
}
