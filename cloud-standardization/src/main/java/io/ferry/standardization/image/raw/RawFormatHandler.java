package io.ferry.standardization.image.raw;

import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.ImageFormatHandler;
import io.ferry.standardization.image.ImageProbe;
import io.ferry.standardization.image.WriteOptions;
import java.io.IOException;
import java.nio.file.Path;

/** Raw images: any file is a raw disk, so raw is the detection fallback, never a match. */
public final class RawFormatHandler implements ImageFormatHandler {

  @Override
  public DiskFormat format() {
    return DiskFormat.RAW;
  }

  /** Always false: raw has no magic and is chosen only when no other format matches. */
  @Override
  public boolean matches(ImageProbe probe) {
    return false;
  }

  @Override
  public DiskImageReader open(Path path) throws IOException {
    return RawImageReader.open(path);
  }

  @Override
  public DiskImageWriter create(Path target, long virtualSize, WriteOptions options)
      throws IOException {
    return RawImageWriter.create(target, virtualSize, options.durable());
  }
}
