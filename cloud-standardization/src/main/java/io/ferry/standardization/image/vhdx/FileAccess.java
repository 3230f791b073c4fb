package io.ferry.standardization.image.vhdx;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Positional, thread-safe reads of an image file with errors that name the structure. */
final class FileAccess {

  private final FileChannel channel;
  private final long size;

  FileAccess(FileChannel channel) throws IOException {
    this.channel = channel;
    this.size = channel.size();
  }

  long size() {
    return size;
  }

  FileChannel channel() {
    return channel;
  }

  /** Reads exactly {@code length} bytes of {@code structure} at {@code offset}. */
  ByteBuffer read(String structure, long offset, int length) throws IOException {
    if (offset < 0 || offset > size || length > size - offset) {
      throw corrupt(
          structure + " at offset " + offset + " (length " + length
              + ") lies past the end of the file (size " + size + ")");
    }
    ByteBuffer buffer = ByteBuffer.allocate(length);
    readFully(structure, offset, buffer);
    buffer.flip();
    return buffer;
  }

  /** Fills {@code destination} from {@code offset}; a short file is reported as corruption. */
  void readFully(String structure, long offset, ByteBuffer destination) throws IOException {
    if (offset < 0 || offset > size || destination.remaining() > size - offset) {
      throw corrupt(
          structure + " at offset " + offset + " (length " + destination.remaining()
              + ") lies past the end of the file (size " + size + ")");
    }
    long position = offset;
    while (destination.hasRemaining()) {
      int read = channel.read(destination, position);
      if (read < 0) {
        throw corrupt(structure + " at offset " + offset + " is truncated");
      }
      position += read;
    }
  }

  static FerryException corrupt(String message) {
    return new FerryException(ErrorCode.IMAGE_CORRUPT, "VHDX: " + message);
  }
}
