package io.ferry.standardization.image.gcp;

import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.ImageFormatHandler;
import io.ferry.standardization.image.ImageProbe;
import io.ferry.standardization.image.WriteOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Google Compute Engine's image archive: {@code disk.raw} in a gzip'd tar. Recognised by the gzip
 * magic followed, once decompressed, by a tar whose first entry is {@code disk.raw}.
 */
public final class GcpArchiveFormatHandler implements ImageFormatHandler {

  @Override
  public DiskFormat format() {
    return DiskFormat.GCP_IMAGE_TAR;
  }

  @Override
  public boolean matches(ImageProbe probe) throws IOException {
    ByteBuffer header = probe.header();
    if (header.remaining() < 18
        || (header.get(0) & 0xFF) != 0x1f
        || (header.get(1) & 0xFF) != 0x8b
        || header.get(2) != 8) {
      return false;
    }
    ByteBuffer start = probe.read(0, 64 * 1024);
    byte[] bytes = new byte[start.remaining()];
    start.get(bytes);
    try (InputStream gzip = new GZIPInputStream(new ByteArrayInputStream(bytes));
        TarArchiveInputStream tar = new TarArchiveInputStream(gzip)) {
      TarArchiveEntry first = tar.getNextEntry();
      if (first == null) {
        return false;
      }
      String name = first.getName().startsWith("./") ? first.getName().substring(2) : first.getName();
      return name.equals(GcpArchiveWriter.DISK_NAME);
    } catch (IOException | RuntimeException notAnArchive) {
      return false;
    }
  }

  @Override
  public DiskImageReader open(Path path) throws IOException {
    return GcpArchiveReader.open(path);
  }

  /** Compresses with zlib level 1 by default (1 to 9 through the options) on options' threads. */
  @Override
  public DiskImageWriter create(Path target, long virtualSize, WriteOptions options)
      throws IOException {
    int level =
        options.compressionLevel() == WriteOptions.DEFAULT_LEVEL
            ? Deflater.BEST_SPEED
            : Math.min(9, Math.max(0, options.compressionLevel()));
    return new GcpArchiveWriter(target, virtualSize, options.threads(), level, Clock.systemUTC());
  }
}
