package io.ferry.standardization.image.gcp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ferry.standardization.image.FuzzFiles;
import io.ferry.standardization.image.ReaderFuzzing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Feeds arbitrary bytes to the GCP image archive reader: opening, walking the extent map and reading must either
 * work or fail with a FerryException or IOException; anything else (runtime exceptions,
 * OutOfMemoryError, endless loops) is a finding. Seeds: src/test/resources/fuzz/gcp/fuzzGcpArchiveReader/ (made by
 * fuzz/vmdk/make-seeds.py). Runs on the seeds in every build and fuzzes briefly with JAZZER_FUZZ=1.
 */
class GcpArchiveReaderFuzzTest {

  private static final Path FILE = FuzzFiles.scratch("input.tar.gz");

  @FuzzTest(maxDuration = "3s")
  void fuzzGcpArchiveReader(byte[] input) throws IOException {
    Files.write(FILE, input);
    ReaderFuzzing.exercise(() -> new GcpArchiveFormatHandler().open(FILE));
  }
}
