package io.ferry.standardization.image.vmdk;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A window {@code [base, base + length)} of a file read with positional, thread-safe reads: a whole
 * VMDK file, or a VMDK stored inside an OVA's tar. Offsets in messages are within the window.
 */
final class Source {

  private final FileChannel channel;
  private final long base;
  private final long length;

  Source(FileChannel channel, long base, long length) {
    this.channel = channel;
    this.base = base;
    this.length = length;
  }

  long length() {
    return length;
  }

  FileChannel channel() {
    return channel;
  }

  /** Reads exactly {@code count} bytes of {@code structure} at {@code offset}. */
  ByteBuffer read(String structure, long offset, int count) throws IOException {
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
  void readFully(String structure, long offset, ByteBuffer destination) throws IOException {
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

  static FerryException corrupt(String message) {
    return new FerryException(ErrorCode.IMAGE_CORRUPT, "VMDK: " + message);
  }

  static FerryException unsupported(String message) {
    return new FerryException(ErrorCode.IMAGE_FEATURE_UNSUPPORTED, "VMDK: " + message);
  }
}
