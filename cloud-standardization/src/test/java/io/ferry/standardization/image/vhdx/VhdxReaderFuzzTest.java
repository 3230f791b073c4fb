package io.ferry.standardization.image.vhdx;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.Extent;
import io.ferry.standardization.image.FuzzFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * Feeds arbitrary bytes to the VHDX reader: opening, walking the extent map and reading must either
 * work or fail with a FerryException or IOException; anything else (runtime exceptions,
 * OutOfMemoryError, endless loops) is a finding. A VHDX is megabytes of mostly zeros (its regions
 * are 1 MiB aligned), so the input is a compact description that {@link VhdxSeeds#materialize} expands: a
 * flags byte, then records (sector offset, length, bytes) written into a sparse file; flag 1
 * recomputes the header checksums and flag 2 the region table checksums, so mutations get past
 * the CRC-32C checks into the tables. Seeds: src/test/resources/fuzz/vhdx/fuzzVhdxReader/ (made by
 * fuzz/vmdk/make-seeds.py). Runs on the seeds in every build and fuzzes briefly with JAZZER_FUZZ=1.
 */
class VhdxReaderFuzzTest {

  private static final Path FILE = FuzzFiles.scratch("input.vhdx");
  private static final long READ_BUDGET = 4L << 20;
  private static final int MAX_EXTENTS = 100_000;

  @FuzzTest(maxDuration = "3s")
  void fuzzVhdxReader(byte[] input) throws IOException {
    VhdxSeeds.materialize(input, FILE);
    try (DiskImageReader reader = new VhdxFormatHandler().open(FILE)) {
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
