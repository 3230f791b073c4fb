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
  private final boolean durable;
  private boolean committed;
  private boolean closed;

  private PartialFile(Path target, Path temporary, FileChannel channel, boolean durable) {
    this.target = target;
    this.temporary = temporary;
    this.channel = channel;
    this.durable = durable;
  }

  /**
   * Creates (or truncates) {@code target + ".ferry-partial"} for reading and writing; {@link
   * #commit()} renames it without forcing it to disk first (like {@code qemu-img convert}).
   */
  public static PartialFile create(Path target) throws IOException {
    return create(target, false);
  }

  /**
   * Creates (or truncates) {@code target + ".ferry-partial"}; when {@code durable}, {@link
   * #commit()} forces the data to disk before the rename, so that after a crash the target is
   * either complete or absent.
   */
  public static PartialFile create(Path target, boolean durable) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path temporary = absolute.resolveSibling(absolute.getFileName() + SUFFIX);
    FileChannel channel =
        FileChannel.open(
            temporary,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE);
    return new PartialFile(absolute, temporary, channel, durable);
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

  /**
   * Closes the channel and renames the temporary file onto the target (forcing it to disk first
   * when durable).
   */
  public void commit() throws IOException {
    if (durable) {
      channel.force(true);
    }
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
