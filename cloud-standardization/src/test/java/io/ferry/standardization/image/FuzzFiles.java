package io.ferry.standardization.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test support for fuzz tests: a scratch file per JVM, in memory where the machine allows. */
public final class FuzzFiles {

  private FuzzFiles() {}

  /** A new scratch file, deleted when the JVM exits. */
  public static Path scratch(String name) {
    try {
      Path shared = Path.of("/dev/shm");
      Path directory =
          Files.isDirectory(shared) && Files.isWritable(shared)
              ? Files.createTempDirectory(shared, "ferry-fuzz")
              : Files.createTempDirectory("ferry-fuzz");
      directory.toFile().deleteOnExit();
      Path file = directory.resolve(name);
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
