package io.ferry.standardization.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.standardization.FerryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Iterator;

/**
 * The body shared by the reader fuzz tests: open a reader on fuzzed input, walk its extent map and
 * read its data; either that works or it fails with a FerryException or IOException. Anything
 * else (runtime exceptions, OutOfMemoryError, endless loops) is a finding.
 */
public final class ReaderFuzzing {

  /** Bytes read per input at most, so each input takes bounded time. */
  private static final long READ_BUDGET = 4L << 20;
  private static final int MAX_EXTENTS = 100_000;

  /** Opens the reader under test on the input already written to its scratch file. */
  @FunctionalInterface
  public interface ReaderOpener {
    DiskImageReader open() throws IOException;
  }

  private ReaderFuzzing() {}

  /**
   * Opens a reader with {@code opener}, checks its extents are contiguous and within the virtual
   * size and reads up to a budget of their data; a FerryException or IOException (the reader refused
   * the input cleanly) ends the check quietly.
   */
  public static void exercise(ReaderOpener opener) {
    try (DiskImageReader reader = opener.open()) {
      assertThat(reader.virtualSize()).isNotNegative();
      long budget = READ_BUDGET;
      long expected = 0;
      int count = 0;
      for (Iterator<Extent> extents = reader.extents();
          extents.hasNext() && count < MAX_EXTENTS;
          count++) {
        Extent extent = extents.next();
        assertThat(extent.offset()).isEqualTo(expected);
        expected = extent.end();
        assertThat(expected).isLessThanOrEqualTo(reader.virtualSize());
        if (extent.type().holdsData() && budget > 0) {
          int length = (int) Math.min(Math.min(extent.length(), budget), 1 << 20);
          ByteBuffer buffer = ByteBuffer.allocate(length);
          reader.read(extent.offset(), buffer);
          assertThat(buffer.hasRemaining()).isFalse();
          budget -= length;
        }
      }
    } catch (FerryException | IOException expectedFailure) {
      // Corrupt or unsupported input: the reader refused it cleanly.
    }
  }
}
