package io.ferry.standardization.image.vhd;

import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.ImageFormatHandler;
import io.ferry.standardization.image.ImageProbe;
import io.ferry.standardization.image.WriteOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Dynamic VHD: recognised by the footer copy (cookie {@code conectix}) at offset 0. Differencing
 * disks match too, so that opening them fails with a clear IMAGE_FEATURE_UNSUPPORTED.
 */
public final class VhdDynamicFormatHandler implements ImageFormatHandler {

  @Override
  public DiskFormat format() {
    return DiskFormat.VHD_DYNAMIC;
  }

  @Override
  public boolean matches(ImageProbe probe) {
    return probe.size() >= VhdFooter.SIZE && VhdFooter.hasCookie(probe.header());
  }

  @Override
  public DiskImageReader open(Path path) throws IOException {
    return VhdImages.open(path);
  }

  @Override
  public DiskImageWriter create(Path target, long virtualSize, WriteOptions options)
      throws IOException {
    return VhdImages.createDynamic(target, virtualSize, Clock.systemUTC());
  }
}
