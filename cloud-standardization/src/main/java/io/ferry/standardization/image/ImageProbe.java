package io.ferry.standardization.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * What a {@link ImageFormatHandler} may look at to recognise a file: its first bytes, its last
 * bytes, its size, and bounded reads anywhere. One probe is shared by all handlers during one
 * detection; every buffer it returns is a fresh read-only view.
 */
public final class ImageProbe {

  /** How many bytes {@link #header()} holds at most. */
  public static final int HEADER_LENGTH = 4096;

  /** The largest read {@link #read(long, int)} allows. */
  public static final int MAX_READ = 1 << 20;

  private final Path path;
  private final FileChannel channel;
  private final long size;
  private final ByteBuffer header;

  /** Probes {@code channel}, which stays owned by the caller. */
  public ImageProbe(Path path, FileChannel channel) throws IOException {
    this.path = path;
    this.channel = channel;
    this.size = channel.size();
    this.header = readFully(0, (int) Math.min(HEADER_LENGTH, size));
  }

  /** The probed file (for messages only; read through this probe). */
  public Path path() {
    return path;
  }

  /** The size of the file in bytes. */
  public long size() {
    return size;
  }

  /** The first {@code min(size, HEADER_LENGTH)} bytes, big-endian, position 0. */
  public ByteBuffer header() {
    return header.asReadOnlyBuffer();
  }

  /** The last {@code min(size, length)} bytes of the file (VHD footers, for example). */
  public ByteBuffer tail(int length) throws IOException {
    int count = (int) Math.min(size, Math.min(length, MAX_READ));
    return readFully(size - count, count).asReadOnlyBuffer();
  }

  /**
   * Reads up to {@code length} bytes (at most {@link #MAX_READ}) at {@code offset}; fewer when
   * the file ends first, empty past the end.
   */
  public ByteBuffer read(long offset, int length) throws IOException {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException("offset and length must not be negative");
    }
    if (offset >= size) {
      return ByteBuffer.allocate(0);
    }
    int count = (int) Math.min(Math.min(length, MAX_READ), size - offset);
    return readFully(offset, count).asReadOnlyBuffer();
  }

  private ByteBuffer readFully(long offset, int count) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(count);
    while (buffer.hasRemaining()) {
      int read = channel.read(buffer, offset + buffer.position());
      if (read < 0) {
        break;
      }
    }
    buffer.flip();
    return buffer;
  }
}
