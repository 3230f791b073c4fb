package io.ferry.standardization.image.ova;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.Extent;
import io.ferry.standardization.image.vmdk.VmdkImages;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.Locale;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads the boot disk of an OVA: the tar's first entry must be the OVF descriptor; the disk it
 * names (a streamOptimized or monolithicSparse VMDK) is read in place, through offsets within the
 * tar file, never extracted.
 */
final class OvaReader implements DiskImageReader {

  static final int MAX_DESCRIPTOR_SIZE = 4 << 20;
  private static final int MAX_ENTRIES = 10_000;

  private final FileChannel channel;
  private final DiskImageReader disk;
  private final OvfDescriptor descriptor;

  private OvaReader(FileChannel channel, DiskImageReader disk, OvfDescriptor descriptor) {
    this.channel = channel;
    this.disk = disk;
    this.descriptor = descriptor;
  }

  /** Where a tar entry's data lies in the file. */
  record EntryLocation(String name, long offset, long size) {}

  static OvaReader open(Path path) throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      return open(channel);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  private static OvaReader open(FileChannel channel) throws IOException {
    OvfDescriptor descriptor;
    OvfDescriptor.OvfDisk boot;
    EntryLocation location = null;
    CountingInputStream counting = new CountingInputStream(Channels.newInputStream(channel.position(0)));
    try (TarArchiveInputStream tar = new TarArchiveInputStream(counting)) {
      TarArchiveEntry first = nextEntry(tar, counting);
      if (first == null || !first.getName().toLowerCase(Locale.ROOT).endsWith(".ovf")) {
        throw OvfDescriptor.corrupt(
            "the first tar entry " + (first == null ? "(none)" : "'" + first.getName() + "'")
                + " is not an OVF descriptor (.ovf)");
      }
      if (first.getSize() > MAX_DESCRIPTOR_SIZE) {
        throw OvfDescriptor.corrupt("OVF descriptor '" + first.getName() + "' of " + first.getSize() + " bytes is too large");
      }
      byte[] xml = tar.readNBytes((int) first.getSize());
      if (xml.length != first.getSize()) {
        throw OvfDescriptor.corrupt("OVF descriptor '" + first.getName() + "' is truncated");
      }
      descriptor = OvfDescriptor.parse(xml, "OVF descriptor '" + first.getName() + "'");
      boot = descriptor.disks().get(0);
      if (boot.compression() != null && !boot.compression().isBlank() && !"identity".equals(boot.compression())) {
        throw new FerryException(
            ErrorCode.IMAGE_FEATURE_UNSUPPORTED,
            "OVA: disk file " + boot.href() + " is compressed with " + boot.compression());
      }
      for (int count = 0; count < MAX_ENTRIES; count++) {
        TarArchiveEntry entry = nextEntry(tar, counting);
        if (entry == null) {
          break;
        }
        if (sameName(entry.getName(), boot.href())) {
          if (entry.isSparse() || !entry.isFile()) {
            throw new FerryException(
                ErrorCode.IMAGE_FEATURE_UNSUPPORTED,
                "OVA: disk entry '" + entry.getName() + "' is not a plain file in the tar");
          }
          location = new EntryLocation(entry.getName(), counting.count(), entry.getSize());
          break;
        }
      }
    }
    if (location == null) {
      throw OvfDescriptor.corrupt("the tar holds no entry '" + boot.href() + "', the boot disk the OVF names");
    }
    if (location.offset() + location.size() > channel.size()) {
      throw OvfDescriptor.corrupt(
          "disk entry '" + location.name() + "' at offset " + location.offset() + " of "
              + location.size() + " bytes lies past the end of the file (" + channel.size() + ")");
    }
    ByteBuffer magic = ByteBuffer.allocate(4);
    channel.read(magic, location.offset());
    magic.flip();
    if (!VmdkImages.isSparseExtent(magic)) {
      throw new FerryException(
          ErrorCode.IMAGE_FEATURE_UNSUPPORTED,
          "OVA: disk entry '" + location.name() + "' at offset " + location.offset()
              + " is not a VMDK sparse extent (streamOptimized or monolithicSparse)");
    }
    DiskImageReader disk = VmdkImages.openSparseExtent(channel, location.offset(), location.size());
    return new OvaReader(channel, disk, descriptor);
  }

  private static TarArchiveEntry nextEntry(TarArchiveInputStream tar, CountingInputStream counting)
      throws IOException {
    long before = counting.count();
    try {
      return tar.getNextEntry();
    } catch (IOException | IllegalArgumentException | IllegalStateException e) {
      throw OvfDescriptor.corrupt("tar header near offset " + before + " is malformed: " + e.getMessage());
    }
  }

  private static boolean sameName(String entryName, String href) {
    if (href == null) {
      return false;
    }
    String left = entryName.startsWith("./") ? entryName.substring(2) : entryName;
    String right = href.startsWith("./") ? href.substring(2) : href;
    return left.equals(right);
  }

  /** The disks the OVF describes, the boot disk first. */
  OvfDescriptor descriptor() {
    return descriptor;
  }

  @Override
  public DiskFormat format() {
    return DiskFormat.OVA;
  }

  @Override
  public long virtualSize() {
    return disk.virtualSize();
  }

  @Override
  public Iterator<Extent> extents() throws IOException {
    return disk.extents();
  }

  @Override
  public void read(long offset, ByteBuffer destination) throws IOException {
    disk.read(offset, destination);
  }

  @Override
  public void close() throws IOException {
    try {
      disk.close();
    } finally {
      channel.close();
    }
  }

  /** Counts the bytes consumed (read or skipped) from the underlying stream. */
  private static final class CountingInputStream extends FilterInputStream {
    private long count;

    CountingInputStream(InputStream in) {
      super(in);
    }

    long count() {
      return count;
    }

    @Override
    public int read() throws IOException {
      int value = super.read();
      if (value >= 0) {
        count++;
      }
      return value;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int read = super.read(buffer, offset, length);
      if (read > 0) {
        count += read;
      }
      return read;
    }

    @Override
    public long skip(long length) throws IOException {
      long skipped = super.skip(length);
      count += Math.max(0, skipped);
      return skipped;
    }

    @Override
    public boolean markSupported() {
      return false;
    }

    /** Leaves the channel open: the disk is read through it afterwards. */
    @Override
    public void close() {}
  }
}
