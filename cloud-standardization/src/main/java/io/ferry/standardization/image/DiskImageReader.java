package io.ferry.standardization.image;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

/**
 * A virtual disk read from an image file of some format. Readers hold only bounded metadata in
 * memory (tables are read on demand), whatever the size of the disk.
 */
public interface DiskImageReader extends Closeable {

  /** The format this reader decodes. */
  DiskFormat format();

  /** The size of the virtual disk in bytes. */
  long virtualSize();

  /**
   * The map of the disk: extents in ascending offset order, adjacent, covering exactly {@code [0,
   * virtualSize)}. Adjacent extents of the same type may or may not be merged. The iterator reads
   * metadata lazily; it may throw {@link io.ferry.standardization.FerryException} for corrupt
   * tables.
   */
  Iterator<Extent> extents() throws IOException;

  /**
   * Reads {@code destination.remaining()} bytes of the virtual disk starting at {@code offset}
   * into {@code destination}. Unallocated and zero ranges read as zeros. Safe to call from several
   * threads at once.
   *
   * @throws io.ferry.standardization.FerryException with IMAGE_CORRUPT when the data cannot be
   *     decoded, or INVALID_REQUEST when the range lies outside the disk
   */
  void read(long offset, ByteBuffer destination) throws IOException;

  /**
   * The other files this image is stored in, besides the one it was opened from: the extent files
   * a VMDK descriptor names. Empty for the formats that keep an image in one file.
   */
  default List<Path> companionFiles() {
    return List.of();
  }

  /**
   * The disks the image holds besides the one this reader reads, described for people (an OVA's
   * data disks: {@code disk data (file data.vmdk, 5242880 bytes)}). Empty for the formats that hold
   * one disk. Ferry moves one disk per image: whoever reads an image with other disks says that
   * they are left behind.
   */
  default List<String> otherDisks() {
    return List.of();
  }

  /**
   * Facts about how the image is stored and was read that its numbers do not show, for people: a
   * VMDK descriptor's {@code createType}, a VHDX log replayed in memory. Empty when there are none.
   */
  default List<String> notes() {
    return List.of();
  }
}
