package io.ferry.standardization.image.vhd;

import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImageWriter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;

/**
 * VHD (Microsoft Virtual Hard Disk) images: fixed and dynamic, read and written; differencing
 * disks are refused. Detection is by the {@code conectix} footer cookie: at offset 0 for dynamic
 * disks (the footer copy), in the last 512 bytes for fixed disks.
 */
public final class VhdImages {

  private VhdImages() {}

  /** Opens a fixed or dynamic VHD for reading; the reader closes the file. */
  public static DiskImageReader open(Path path) throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      return VhdReader.open(channel, true);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** Opens a VHD held by {@code channel}, which the caller keeps and closes. */
  public static DiskImageReader open(FileChannel channel) throws IOException {
    return VhdReader.open(channel, false);
  }

  /**
   * Creates a fixed VHD writer; the virtual size is rounded up to a multiple of 1 MiB (Azure's
   * rule). Holes become holes of the output file.
   */
  public static DiskImageWriter createFixed(Path path, long virtualSize, Clock clock)
      throws IOException {
    return new VhdFixedWriter(path, virtualSize, clock);
  }

  /** Creates a dynamic VHD writer with 2 MiB blocks; the size is rounded up to 512 bytes. */
  public static DiskImageWriter createDynamic(Path path, long virtualSize, Clock clock)
      throws IOException {
    return new VhdDynamicWriter(path, virtualSize, clock);
  }
}
