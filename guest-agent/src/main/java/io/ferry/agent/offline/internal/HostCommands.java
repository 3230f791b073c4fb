package io.ferry.agent.offline.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs host tools (losetup, mount, umount) with a time limit and clear errors. */
public final class HostCommands {

  private HostCommands() {}

  /** Runs {@code command}; returns its standard output, or throws HOST_OPERATION_FAILED. */
  public static String run(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new FerryException(ErrorCode.HOST_OPERATION_FAILED, String.join(" ", command) + " timed out");
      }
      String text = new String(output, StandardCharsets.UTF_8).trim();
      if (process.exitValue() != 0) {
        throw new FerryException(ErrorCode.HOST_OPERATION_FAILED,
            String.join(" ", command) + " failed (exit " + process.exitValue() + "): " + text);
      }
      return text;
    } catch (IOException e) {
      throw new FerryException(ErrorCode.HOST_OPERATION_FAILED,
          "cannot run " + command.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FerryException(ErrorCode.CANCELLED, "interrupted while running " + command.get(0), e);
    }
  }

  /** Whether this process runs as root (uid 0). */
  public static boolean runningAsRoot() {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.split("\\s+")[2].equals("0");
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }
}
