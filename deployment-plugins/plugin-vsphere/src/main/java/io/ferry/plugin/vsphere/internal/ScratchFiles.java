package io.ferry.plugin.vsphere.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Deletes scratch folders. */
final class ScratchFiles {

  private ScratchFiles() {}

  /** Deletes {@code folder} and everything in it; a missing folder is fine, errors are ignored. */
  static void deleteTree(Path folder) {
    if (!Files.exists(folder)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(folder)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // left for the host, which cleans the scratch directory
    }
  }
}
