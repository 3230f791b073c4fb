package io.ferry.standardization.image.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.Extent;
import io.ferry.standardization.image.ExtentType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * The holes of a sparse file, asked of the file system with {@code lseek(SEEK_DATA / SEEK_HOLE)}
 * (Java 17 has no API for them) through JNA, on a file descriptor of its own. Only on Linux; where
 * the native call is not available or the file system does not answer, {@link #open} returns
 * empty and the caller treats the whole file as data.
 */
public final class SparseFileMap implements AutoCloseable {

  private static final int O_RDONLY = 0;
  private static final int O_CLOEXEC = 0x80000;
  private static final int SEEK_DATA = 3;
  private static final int SEEK_HOLE = 4;
  private static final int ENXIO = 6;

  /** The C library, or null where it cannot be used (not Linux, no JNA native part). */
  private static final CLibrary LIBRARY = load();

  private final int descriptor;
  private final long size;
  private final Path path;
  private boolean closed;

  /** The few calls of the C library that finding holes needs. */
  interface CLibrary extends Library {
    int open(String path, int flags);

    long lseek(int descriptor, long offset, int whence);

    int close(int descriptor);
  }

  private SparseFileMap(int descriptor, long size, Path path) {
    this.descriptor = descriptor;
    this.size = size;
    this.path = path;
  }

  private static CLibrary load() {
    if (Boolean.getBoolean("ferry.image.noSeekData") || !Platform.isLinux()) {
      return null;
    }
    try {
      return Native.load("c", CLibrary.class);
    } catch (LinkageError | RuntimeException unavailable) {
      return null;
    }
  }

  /** Whether holes can be asked for on this machine at all. */
  public static boolean available() {
    return LIBRARY != null;
  }

  /**
   * A map of {@code path}, whose first {@code size} bytes are the disk; empty when holes cannot
   * be asked for (not Linux, no native library, or a file system without SEEK_DATA).
   */
  public static Optional<SparseFileMap> open(Path path, long size) throws IOException {
    if (LIBRARY == null || size <= 0) {
      return Optional.empty();
    }
    int descriptor = LIBRARY.open(path.toString(), O_RDONLY | O_CLOEXEC);
    if (descriptor < 0) {
      throw new IOException("cannot open " + path + ": errno " + Native.getLastError());
    }
    // Probe once: file systems without SEEK_DATA answer EINVAL; those then count as all data.
    long probe = LIBRARY.lseek(descriptor, 0, SEEK_DATA);
    if (probe < 0 && Native.getLastError() != ENXIO) {
      LIBRARY.close(descriptor);
      return Optional.empty();
    }
    return Optional.of(new SparseFileMap(descriptor, size, path));
  }

  /**
   * The extents of the disk, in order and contiguous: DATA where the file holds data, UNALLOCATED
   * for its holes. Asks the file system lazily, two calls per data extent.
   */
  public Iterator<Extent> extents() {
    return new Iterator<>() {
      private long position;
      private Extent next;

      @Override
      public boolean hasNext() {
        if (next == null && position < size) {
          next = at(position);
          position = next.end();
        }
        return next != null;
      }

      @Override
      public Extent next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Extent extent = next;
        next = null;
        return extent;
      }
    };
  }

  /** The extent that starts at {@code offset}. */
  private Extent at(long offset) {
    if (closed) {
      throw new IllegalStateException("the sparse map of " + path + " is closed");
    }
    long data = seek(offset, SEEK_DATA);
    if (data < 0 || data >= size) {
      return new Extent(offset, size - offset, ExtentType.UNALLOCATED);
    }
    if (data > offset) {
      return new Extent(offset, data - offset, ExtentType.UNALLOCATED);
    }
    long hole = seek(offset, SEEK_HOLE);
    long end = hole < 0 ? size : Math.min(hole, size);
    if (end <= offset) {
      // A file system that calls offset both data and a hole: take one block as data and move on.
      end = Math.min(size, offset + 4096);
    }
    return new Extent(offset, end - offset, ExtentType.DATA);
  }

  /** lseek; -1 when there is no data (or hole) at or after {@code offset} (ENXIO). */
  private long seek(long offset, int whence) {
    long result = LIBRARY.lseek(descriptor, offset, whence);
    if (result < 0) {
      int errno = Native.getLastError();
      if (errno == ENXIO) {
        return -1;
      }
      throw new FerryException(
          ErrorCode.IO_ERROR,
          "cannot map the holes of " + path + " at offset " + offset + ": errno " + errno);
    }
    return result;
  }

  /** The extents of a file that must be read whole: one DATA extent (none when empty). */
  public static Iterator<Extent> allData(long size) {
    return size == 0 ? List.<Extent>of().iterator() : List.of(new Extent(0, size, ExtentType.DATA)).iterator();
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      LIBRARY.close(descriptor);
    }
  }
}
