package io.ferry.standardization.image.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A sparse temporary file that a reader extracts a compressed source into, because the source
 * cannot be read at random offsets (a gzip'd tar, a gzip'd disk inside an OVA). It is created next
 * to the source, named {@code <source>.<random>.ferry-extract}, or in the system's temporary folder
 * when the source's folder is read-only, and unlinked as soon as it is open: it takes disk space
 * until {@link #close}, and nothing is left behind even when the process dies. Blocks written
 * through {@link #writeBlock} that are all zero stay holes, so disk space follows the data.
 */
public final class ScratchFile implements Closeable {

  private final FileChannel channel;

  private ScratchFile(FileChannel channel) {
    this.channel = channel;
  }

  /** Creates an empty scratch file for extracting {@code source}. */
  public static ScratchFile nextTo(Path source) throws IOException {
    Path absolute = source.toAbsolutePath();
    Path path;
    try {
      path = Files.createTempFile(absolute.getParent(), absolute.getFileName() + ".", ".ferry-extract");
    } catch (FileSystemException readOnly) {
      path = Files.createTempFile(absolute.getFileName() + ".", ".ferry-extract");
    }
    try {
      return new ScratchFile(FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE));
    } finally {
      Files.deleteIfExists(path); // the open channel keeps the file
    }
  }

  /** The file, open for reading and writing; closed by {@link #close}. */
  public FileChannel channel() {
    return channel;
  }

  /**
   * Writes {@code block[0, length)} at {@code position} unless it is all zero (then it stays a
   * hole). Returns whether it was written.
   */
  public boolean writeBlock(long position, byte[] block, int length) throws IOException {
    if (Zeros.isZero(block, 0, length)) {
      return false;
    }
    ByteBuffer buffer = ByteBuffer.wrap(block, 0, length);
    long at = position;
    while (buffer.hasRemaining()) {
      at += channel.write(buffer, at);
    }
    return true;
  }

  /** Makes the file {@code size} bytes long, a trailing hole included. */
  public void extendTo(long size) throws IOException {
    if (channel.size() < size && size > 0) {
      channel.write(ByteBuffer.allocate(1), size - 1);
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
