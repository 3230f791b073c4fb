package io.ferry.standardization.image.qcow2;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ferry.standardization.image.FuzzFiles;
import io.ferry.standardization.image.ReaderFuzzing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Feeds arbitrary bytes to the qcow2 reader: opening, walking the extent map and reading must
 * either work or fail with a FerryException or IOException; anything else (runtime exceptions,
 * OutOfMemoryError, endless loops) is a finding. Runs on the seed corpus in every build and fuzzes
 * for a few seconds when JAZZER_FUZZ=1 (set by the pom for the fuzz execution).
 */
class Qcow2ReaderFuzzTest {

  private static final Path FILE = FuzzFiles.scratch("input.qcow2");

  @FuzzTest(maxDuration = "3s")
  void fuzzQcow2Reader(byte[] input) throws IOException {
    Files.write(FILE, input);
    ReaderFuzzing.exercise(() -> new Qcow2FormatHandler().open(FILE));
  }
}
