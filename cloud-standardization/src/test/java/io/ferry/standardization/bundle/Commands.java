package io.ferry.standardization.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs host tools (qemu-img, sfdisk, mkfs) for integration tests. */
final class Commands {

  /** The outcome of one run: exit code and stdout with stderr. */
  record Result(int exitCode, String output) {}

  private Commands() {}

  /** Runs {@code command} (optionally feeding {@code input}) and returns its outcome. */
  static Result run(String input, String... command) throws IOException {
    List<String> resolved = new ArrayList<>(List.of(command));
    resolved.set(0, locate(command[0]));
    Process process = new ProcessBuilder(resolved).redirectErrorStream(true).start();
    if (input != null) {
      process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
    }
    process.getOutputStream().close();
    try (InputStream output = process.getInputStream()) {
      byte[] bytes = output.readAllBytes();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("timed out: " + resolved);
      }
      return new Result(process.exitValue(), new String(bytes, StandardCharsets.UTF_8));
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IOException("interrupted: " + resolved, interrupted);
    }
  }

  /** Runs {@code command} and fails unless it exits with 0. */
  static String check(String... command) throws IOException {
    return checkWithInput(null, command);
  }

  /** Runs {@code command} with {@code input} on stdin and fails unless it exits with 0. */
  static String checkWithInput(String input, String... command) throws IOException {
    Result result = run(input, command);
    if (result.exitCode() != 0) {
      throw new IOException(String.join(" ", command) + " failed (" + result.exitCode() + "): " + result.output());
    }
    return result.output();
  }

  /** Whether {@code tool} can be found on PATH or in /usr/sbin and /sbin. */
  static boolean available(String tool) {
    return !locate(tool).equals(tool) || Files.isExecutable(Path.of(tool));
  }

  /** The absolute path of {@code tool}, or {@code tool} itself when not found. */
  static String locate(String tool) {
    if (tool.contains("/")) {
      return tool;
    }
    List<String> folders = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
    folders.addAll(List.of("/usr/sbin", "/sbin", "/usr/local/sbin"));
    for (String folder : folders) {
      if (!folder.isEmpty() && Files.isExecutable(Path.of(folder, tool))) {
        return Path.of(folder, tool).toString();
      }
    }
    return tool;
  }
}
