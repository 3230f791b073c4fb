package io.ferry.standardization.image.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Writes to files in system calls of at most {@link #MAX_WRITE} bytes. On recent Linux kernels
 * (measured on 6.18 with ext4) one {@code pwrite} of 1 MiB into the page cache costs about eight
 * times as much per byte as writes of 64 to 128 KiB (784 MiB: 2.5 s against 0.2 s of system
 * time), so large buffers are written in slices; reads show no such effect.
 */
public final class FileWrites {

  /** The largest single write. */
  public static final int MAX_WRITE = 128 * 1024;

  private FileWrites() {}

  /**
   * Writes the remaining bytes of {@code data} at {@code position} and moves the buffer's
   * position to its limit; returns the number of bytes written.
   */
  public static int writeFully(FileChannel channel, ByteBuffer data, long position) throws IOException {
    int total = data.remaining();
    long at = position;
    int limit = data.limit();
    try {
      while (data.hasRemaining()) {
        data.limit(Math.min(limit, data.position() + MAX_WRITE));
        while (data.hasRemaining()) {
          at += channel.write(data, at);
        }
        data.limit(limit);
      }
    } finally {
      data.limit(limit);
    }
    return total;
  }

  /** Writes the remaining bytes of {@code data} at the channel's position, in slices. */
  public static void writeFully(FileChannel channel, ByteBuffer data) throws IOException {
    int limit = data.limit();
    try {
      while (data.hasRemaining()) {
        data.limit(Math.min(limit, data.position() + MAX_WRITE));
        while (data.hasRemaining()) {
          channel.write(data);
        }
        data.limit(limit);
      }
    } finally {
      data.limit(limit);
    }
  }
}
