package io.ferry.standardization.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test support: runs {@code qemu-img} (Debian package qemu-utils), the oracle the image formats
 * are checked against. In the test-jar so other modules' tests can use it.
 */
public final class QemuImg {

  /** The outcome of one run. */
  public record Result(int exitCode, String output) {

    /** Throws unless the exit code is 0. */
    public Result orThrow() {
      if (exitCode != 0) {
        throw new IllegalStateException("qemu-img failed (" + exitCode + "): " + output);
      }
      return this;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long TIMEOUT_SECONDS = 300;

  private QemuImg() {}

  /** Whether qemu-img can be run on this machine. */
  public static boolean available() {
    try {
      return run(List.of("--version")).exitCode() == 0;
    } catch (IOException | IllegalStateException e) {
      return false;
    }
  }

  /** {@code qemu-img create -f FORMAT [options] PATH SIZE}. */
  public static void create(Path path, String format, long size, String... options)
      throws IOException {
    List<String> args = new ArrayList<>(List.of("create", "-q", "-f", format));
    args.addAll(Arrays.asList(options));
    args.add(path.toString());
    args.add(Long.toString(size));
    run(args).orThrow();
  }

  /** {@code qemu-img convert -f IN_FORMAT -O OUT_FORMAT [options] IN OUT}. */
  public static void convert(
      Path input, String inputFormat, Path output, String outputFormat, String... options)
      throws IOException {
    List<String> args = new ArrayList<>(List.of("convert", "-f", inputFormat, "-O", outputFormat));
    args.addAll(Arrays.asList(options));
    args.add(input.toString());
    args.add(output.toString());
    run(args).orThrow();
  }

  /**
   * {@code qemu-img compare}: exit code 0 when the contents are identical, 1 when they differ (the
   * output names the first differing offset), 2 on error. Formats are given explicitly (null lets
   * qemu-img probe).
   */
  public static Result compare(Path first, String firstFormat, Path second, String secondFormat)
      throws IOException {
    List<String> args = new ArrayList<>(List.of("compare"));
    if (firstFormat != null) {
      args.addAll(List.of("-f", firstFormat));
    }
    if (secondFormat != null) {
      args.addAll(List.of("-F", secondFormat));
    }
    args.add(first.toString());
    args.add(second.toString());
    return run(args);
  }

  /**
   * {@code qemu-img check}: exit code 0 when the image is consistent, 2 for corruptions, 3 for
   * leaked clusters, 63 when the format cannot be checked.
   */
  public static Result check(Path path, String format) throws IOException {
    return run(List.of("check", "-f", format, path.toString()));
  }

  /** {@code qemu-img info --output json}. */
  public static JsonNode info(Path path) throws IOException {
    return JSON.readTree(run(List.of("info", "--output", "json", path.toString())).orThrow().output());
  }

  /** Runs qemu-img with {@code args}; stdout and stderr together. */
  public static Result run(List<String> args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add("qemu-img");
    command.addAll(args);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try (InputStream in = process.getInputStream()) {
      byte[] output = in.readAllBytes();
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("qemu-img timed out: " + command);
      }
      return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IOException("interrupted while running " + command, e);
    }
  }

  /** Whether {@code path} exists and qemu-img is installed (for assumptions). */
  static boolean exists(Path path) {
    return Files.exists(path);
  }
}
