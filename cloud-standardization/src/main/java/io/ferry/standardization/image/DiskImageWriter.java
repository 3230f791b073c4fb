package io.ferry.standardization.image;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Writes a virtual disk in some format. Data arrives in ascending, non-overlapping offset order;
 * ranges never written read back as zeros and are stored as holes where the format allows.
 */
public interface DiskImageWriter extends Closeable {

  /** The format this writer produces. */
  DiskFormat format();

  /** The size of the virtual disk being written (after any rounding the format requires). */
  long virtualSize();

  /**
   * Writes {@code data.remaining()} bytes at {@code offset}. Offsets must not go backwards.
   * Writers may skip all-zero blocks. The writer must not keep a reference to {@code data}
   * after returning (copy it when compressing in the background).
   */
  void write(long offset, ByteBuffer data) throws IOException;

  /**
   * Completes the image: flushes pending data, writes tables, footers and end markers. Only after
   * this returns is the output a valid image; closing without finishing leaves nothing that looks
   * complete.
   */
  void finish() throws IOException;
}
