package io.ferry.standardization.image.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A window {@code [base, base + length)} of an image file read with positional, thread-safe reads:
 * a whole file, or an image stored inside another (a VMDK in an OVA's tar). Offsets in messages are
 * within the window; errors name the structure and start with the format's name.
 */
public final class FileWindow {

  private final String format;
  private final FileChannel channel;
  private final long base;
  private final long length;

  /** The whole of {@code channel}, its size taken now; errors start with {@code format}. */
  public FileWindow(String format, FileChannel channel) throws IOException {
    this(format, channel, 0, channel.size());
  }

  /** The window {@code [base, base + length)} of {@code channel}; errors start with {@code format}. */
  public FileWindow(String format, FileChannel channel, long base, long length) {
    this.format = format;
    this.channel = channel;
    this.base = base;
    this.length = length;
  }

  /** The window's length in bytes. */
  public long length() {
    return length;
  }

  /** The underlying channel (positions on it are not shifted by the window's base). */
  public FileChannel channel() {
    return channel;
  }

  /** Reads exactly {@code count} bytes of {@code structure} at {@code offset}. */
  public ByteBuffer read(String structure, long offset, int count) throws IOException {
    if (offset < 0 || offset > length || count > length - offset) {
      throw corrupt(
          structure + " at offset " + offset + " (length " + count
              + ") lies past the end of the file (size " + length + ")");
    }
    ByteBuffer buffer = ByteBuffer.allocate(count);
    readFully(structure, offset, buffer);
    buffer.flip();
    return buffer;
  }

  /** Fills {@code destination} from {@code offset}; reading past the window is corruption. */
  public void readFully(String structure, long offset, ByteBuffer destination) throws IOException {
    if (offset < 0 || offset > length || destination.remaining() > length - offset) {
      throw corrupt(
          structure + " at offset " + offset + " (length " + destination.remaining()
              + ") lies past the end of the file (size " + length + ")");
    }
    long position = base + offset;
    while (destination.hasRemaining()) {
      int read = channel.read(destination, position);
      if (read < 0) {
        throw corrupt(structure + " at offset " + offset + " is truncated");
      }
      position += read;
    }
  }

  private FerryException corrupt(String message) {
    return corrupt(format, message);
  }

  /** An {@link ErrorCode#IMAGE_CORRUPT} error: {@code "<format>: <message>"}. */
  public static FerryException corrupt(String format, String message) {
    return new FerryException(ErrorCode.IMAGE_CORRUPT, format + ": " + message);
  }

  /** An {@link ErrorCode#IMAGE_FEATURE_UNSUPPORTED} error: {@code "<format>: <message>"}. */
  public static FerryException unsupported(String format, String message) {
    return new FerryException(ErrorCode.IMAGE_FEATURE_UNSUPPORTED, format + ": " + message);
  }
}
