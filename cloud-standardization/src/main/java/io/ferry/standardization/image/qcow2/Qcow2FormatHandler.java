package io.ferry.standardization.image.qcow2;

import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.ImageFormatHandler;
import io.ferry.standardization.image.ImageProbe;
import io.ferry.standardization.image.WriteOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** qcow2: recognised by the magic {@code QFI\xfb} followed by version 2 or 3. */
public final class Qcow2FormatHandler implements ImageFormatHandler {

  @Override
  public DiskFormat format() {
    return DiskFormat.QCOW2;
  }

  @Override
  public boolean matches(ImageProbe probe) {
    ByteBuffer header = probe.header();
    return header.remaining() >= 8 && header.getInt(0) == Qcow2Header.MAGIC;
  }

  @Override
  public DiskImageReader open(Path path) throws IOException {
    return Qcow2ImageReader.open(path);
  }

  /**
   * Opens the qcow2 image stored at {@code [offset, offset + length)} of {@code channel} (a disk
   * inside an OVA's tar). The caller keeps and closes the channel.
   */
  public static DiskImageReader openWindow(FileChannel channel, long offset, long length) throws IOException {
    return Qcow2ImageReader.open(channel, offset, length, false);
  }

  @Override
  public DiskImageWriter create(Path target, long virtualSize, WriteOptions options)
      throws IOException {
    return Qcow2ImageWriter.create(target, virtualSize, options);
  }
}
