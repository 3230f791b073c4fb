package io.ferry.standardization.image.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * An output file written under a temporary name next to its target and renamed onto the target
 * only by {@link #commit()}, so an unfinished output never looks complete. Closing without commit
 * deletes the temporary file.
 */
public final class PartialFile implements Closeable {

  /** The suffix of temporary output files. */
  public static final String SUFFIX = ".ferry-partial";

  private final Path target;
  private final Path temporary;
  private final FileChannel channel;
  private boolean committed;
  private boolean closed;

  private PartialFile(Path target, Path temporary, FileChannel channel) {
    this.target = target;
    this.temporary = temporary;
    this.channel = channel;
  }

  /** Creates (or truncates) {@code target + ".ferry-partial"} for reading and writing. */
  public static PartialFile create(Path target) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path temporary = absolute.resolveSibling(absolute.getFileName() + SUFFIX);
    FileChannel channel =
        FileChannel.open(
            temporary,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE);
    return new PartialFile(absolute, temporary, channel);
  }

  /** The channel of the temporary file. */
  public FileChannel channel() {
    return channel;
  }

  /** The final name. */
  public Path target() {
    return target;
  }

  /** The temporary name. */
  public Path temporary() {
    return temporary;
  }

  /** Flushes to disk, closes the channel and renames the temporary file onto the target. */
  public void commit() throws IOException {
    channel.force(true);
    channel.close();
    try {
      Files.move(
          temporary,
          target,
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
    }
    committed = true;
  }

  /** Closes the channel; deletes the temporary file unless committed. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      channel.close();
    } finally {
      if (!committed) {
        Files.deleteIfExists(temporary);
      }
    }
  }
}
