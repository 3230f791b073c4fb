package io.ferry.standardization.image.vmdk;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ferry.standardization.image.FuzzFiles;
import io.ferry.standardization.image.ReaderFuzzing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Feeds arbitrary bytes to the VMDK streamOptimized reader: opening, walking the extent map and reading must either
 * work or fail with a FerryException or IOException; anything else (runtime exceptions,
 * OutOfMemoryError, endless loops) is a finding. Seeds: src/test/resources/fuzz/vmdk/fuzzVmdkStreamReader/ (made by
 * fuzz/vmdk/make-seeds.py). Runs on the seeds in every build and fuzzes briefly with JAZZER_FUZZ=1.
 */
class VmdkStreamReaderFuzzTest {

  private static final Path FILE = FuzzFiles.scratch("input.vmdk");

  @FuzzTest(maxDuration = "3s")
  void fuzzVmdkStreamReader(byte[] input) throws IOException {
    Files.write(FILE, input);
    ReaderFuzzing.exercise(() -> new VmdkStreamOptimizedFormatHandler().open(FILE));
  }
}
