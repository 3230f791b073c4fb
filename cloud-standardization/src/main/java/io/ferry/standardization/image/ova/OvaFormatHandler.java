package io.ferry.standardization.image.ova;

import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.ImageFormatHandler;
import io.ferry.standardization.image.ImageProbe;
import io.ferry.standardization.image.WriteOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * OVA: a tar whose first entry is an OVF descriptor ({@code .ovf}); recognised by that entry's
 * tar header. Reads the boot disk (a VMDK inside the tar, in place); writes OVF + manifest +
 * streamOptimized VMDK.
 */
public final class OvaFormatHandler implements ImageFormatHandler {

  @Override
  public DiskFormat format() {
    return DiskFormat.OVA;
  }

  @Override
  public boolean matches(ImageProbe probe) throws IOException {
    ByteBuffer header = probe.read(0, 64 * 1024);
    if (header.remaining() < 512 || !isTarHeader(header)) {
      return false;
    }
    byte[] bytes = new byte[header.remaining()];
    header.get(bytes);
    try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(bytes))) {
      TarArchiveEntry first = tar.getNextEntry();
      return first != null && first.getName().toLowerCase(Locale.ROOT).endsWith(".ovf");
    } catch (IOException | RuntimeException notATar) {
      return false;
    }
  }

  /** A tar header has "ustar" at offset 257 (POSIX and GNU). */
  static boolean isTarHeader(ByteBuffer header) {
    byte[] magic = {'u', 's', 't', 'a', 'r'};
    for (int index = 0; index < magic.length; index++) {
      if (header.get(header.position() + 257 + index) != magic[index]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public DiskImageReader open(Path path) throws IOException {
    return OvaReader.open(path);
  }

  @Override
  public DiskImageWriter create(Path target, long virtualSize, WriteOptions options)
      throws IOException {
    return new OvaWriter(target, virtualSize, options, Clock.systemUTC(), OvfWriter.Hardware.DEFAULT);
  }
}
