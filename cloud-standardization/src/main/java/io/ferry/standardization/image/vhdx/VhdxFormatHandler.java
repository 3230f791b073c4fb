package io.ferry.standardization.image.vhdx;

import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.ImageFormatHandler;
import io.ferry.standardization.image.ImageProbe;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** VHDX (Hyper-V): recognised by the file type identifier {@code vhdxfile}. Read only. */
public final class VhdxFormatHandler implements ImageFormatHandler {

  private static final byte[] IDENTIFIER = "vhdxfile".getBytes(StandardCharsets.US_ASCII);

  @Override
  public DiskFormat format() {
    return DiskFormat.VHDX;
  }

  @Override
  public boolean matches(ImageProbe probe) {
    ByteBuffer header = probe.header();
    if (header.remaining() < IDENTIFIER.length) {
      return false;
    }
    for (int index = 0; index < IDENTIFIER.length; index++) {
      if (header.get(index) != IDENTIFIER[index]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public DiskImageReader open(Path path) throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      return VhdxReader.open(channel, true);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }
}
