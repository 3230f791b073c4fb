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
 * Fixed VHD: recognised by the {@code conectix} footer in the last 512 bytes (and no footer copy
 * at offset 0). Written with the virtual size rounded up to 1 MiB, as Azure requires.
 */
public final class VhdFixedFormatHandler implements ImageFormatHandler {

  @Override
  public DiskFormat format() {
    return DiskFormat.VHD_FIXED;
  }

  @Override
  public boolean matches(ImageProbe probe) throws IOException {
    return probe.size() >= VhdFooter.SIZE
        && !VhdFooter.hasCookie(probe.header())
        && VhdFooter.hasCookie(probe.tail(VhdFooter.SIZE));
  }

  @Override
  public DiskImageReader open(Path path) throws IOException {
    return VhdImages.open(path);
  }

  @Override
  public DiskImageWriter create(Path target, long virtualSize, WriteOptions options)
      throws IOException {
    return VhdImages.createFixed(target, virtualSize, Clock.systemUTC());
  }
}
