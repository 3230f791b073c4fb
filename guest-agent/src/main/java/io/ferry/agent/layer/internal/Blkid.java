package io.ferry.agent.layer.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Reads a block device's file system UUID with {@code blkid} (live systems only). */
final class Blkid {

  private Blkid() {}

  static Optional<String> uuid(String device) {
    try {
      Process process =
          new ProcessBuilder("blkid", "-s", "UUID", "-o", "value", device)
              .redirectErrorStream(true)
              .start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0 || output.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(output.lines().findFirst().orElse(output));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
