package io.ferry.standardization.image.vmdk;

import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.ImageFormatHandler;
import io.ferry.standardization.image.ImageProbe;
import java.io.IOException;
import java.nio.file.Path;

/** monolithicSparse VMDK: a hosted sparse extent (magic {@code KDMV}) with uncompressed grains. Read only. */
public final class VmdkSparseFormatHandler implements ImageFormatHandler {

  @Override
  public DiskFormat format() {
    return DiskFormat.VMDK_MONOLITHIC_SPARSE;
  }

  @Override
  public boolean matches(ImageProbe probe) {
    return VmdkImages.isSparseExtent(probe.header()) && !VmdkImages.isStreamOptimized(probe.header());
  }

  @Override
  public DiskImageReader open(Path path) throws IOException {
    return VmdkImages.open(path);
  }
}
