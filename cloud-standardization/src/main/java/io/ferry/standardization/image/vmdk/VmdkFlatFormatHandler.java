package io.ferry.standardization.image.vmdk;

import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.ImageFormatHandler;
import io.ferry.standardization.image.ImageProbe;
import java.io.IOException;
import java.nio.file.Path;

/**
 * VMDK descriptor file ({@code # Disk DescriptorFile}) with FLAT, SPARSE or ZERO extents next to
 * it: monolithicFlat, twoGbMaxExtentFlat, twoGbMaxExtentSparse, vmfs. Read only.
 */
public final class VmdkFlatFormatHandler implements ImageFormatHandler {

  @Override
  public DiskFormat format() {
    return DiskFormat.VMDK_MONOLITHIC_FLAT;
  }

  @Override
  public boolean matches(ImageProbe probe) {
    return VmdkImages.isDescriptorFile(probe.header());
  }

  @Override
  public DiskImageReader open(Path path) throws IOException {
    return VmdkImages.open(path);
  }
}
