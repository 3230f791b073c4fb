package io.ferry.standardization.image.vhdx;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ferry.standardization.image.FuzzFiles;
import io.ferry.standardization.image.ReaderFuzzing;
import java.io.IOException;
import java.nio.file.Path;

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

  @FuzzTest(maxDuration = "3s")
  void fuzzVhdxReader(byte[] input) throws IOException {
    VhdxSeeds.materialize(input, FILE);
    ReaderFuzzing.exercise(() -> new VhdxFormatHandler().open(FILE));
  }
}
