package io.ferry.standardization.image.vmdk;

import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.ImageFormatHandler;
import io.ferry.standardization.image.ImageProbe;
import io.ferry.standardization.image.WriteOptions;
import java.io.IOException;
import java.nio.file.Path;

/** streamOptimized VMDK: a hosted sparse extent (magic {@code KDMV}) with compressed grains and markers. Read and written. */
public final class VmdkStreamOptimizedFormatHandler implements ImageFormatHandler {

  @Override
  public DiskFormat format() {
    return DiskFormat.VMDK_STREAM_OPTIMIZED;
  }

  @Override
  public boolean matches(ImageProbe probe) {
    return VmdkImages.isStreamOptimized(probe.header());
  }

  @Override
  public DiskImageReader open(Path path) throws IOException {
    return VmdkImages.open(path);
  }

  @Override
  public DiskImageWriter create(Path target, long virtualSize, WriteOptions options)
      throws IOException {
    return VmdkImages.createStreamOptimized(
        target, virtualSize, options, target.getFileName().toString());
  }
}
