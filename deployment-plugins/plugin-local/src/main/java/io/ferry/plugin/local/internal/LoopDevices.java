package io.ferry.plugin.local.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Releases what a helper may have left on a volume file when it died: mounts of the loop device
 * (and of its partitions) backed by the file, then the loop device itself. Linux only; elsewhere,
 * or when no loop device is backed by the file, it does nothing.
 */
final class LoopDevices {

  private static final Path SYS_BLOCK = Path.of("/sys/block");
  private static final Path MOUNT_INFO = Path.of("/proc/self/mountinfo");
  private static final long COMMAND_TIMEOUT_SECONDS = 60;

  private LoopDevices() {}

  /**
   * Unmounts every mount of a loop device backed by {@code file} and detaches the device.
   *
   * @return the loop devices released, such as {@code /dev/loop3}
   * @throws FerryException HOST_OPERATION_FAILED when umount or losetup fails
   */
  static List<String> release(Path file) {
    List<String> devices = backing(file);
    for (String device : devices) {
      for (String mountPoint : mountPointsOf(device)) {
        run("umount", mountPoint);
      }
      run("losetup", "-d", device);
    }
    return devices;
  }

  /** The loop devices whose backing file is {@code file}. */
  static List<String> backing(Path file) {
    String wanted = file.toAbsolutePath().normalize().toString();
    List<String> devices = new ArrayList<>();
    try (DirectoryStream<Path> blocks = Files.newDirectoryStream(SYS_BLOCK, "loop*")) {
      for (Path block : blocks) {
        Path backingFile = block.resolve("loop").resolve("backing_file");
        if (!Files.isReadable(backingFile)) {
          continue;
        }
        String backing = Files.readString(backingFile, StandardCharsets.UTF_8).strip();
        if (backing.endsWith(" (deleted)")) {
          backing = backing.substring(0, backing.length() - " (deleted)".length());
        }
        if (backing.equals(wanted)) {
          devices.add("/dev/" + block.getFileName());
        }
      }
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw IoErrors.translate("listing loop devices", e);
    }
    return devices;
  }

  /** Mount points of {@code device} and its partitions, innermost (most recent) first. */
  static List<String> mountPointsOf(String device) {
    List<String> lines;
    try {
      lines = Files.readAllLines(MOUNT_INFO, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw IoErrors.translate("reading " + MOUNT_INFO, e);
    }
    return mountPointsOf(device, lines);
  }

  /** Parses mountinfo lines (see proc(5)): field 5 is the mount point, after " - " the source. */
  static List<String> mountPointsOf(String device, List<String> mountInfo) {
    List<String> mountPoints = new ArrayList<>();
    for (String line : mountInfo) {
      String[] fields = line.split(" ");
      int separator = List.of(fields).indexOf("-");
      if (fields.length < 5 || separator < 0 || separator + 2 >= fields.length) {
        continue;
      }
      String source = fields[separator + 2];
      if (source.equals(device) || source.matches(java.util.regex.Pattern.quote(device) + "p[0-9]+")) {
        mountPoints.add(unescape(fields[4]));
      }
    }
    Collections.reverse(mountPoints);
    return mountPoints;
  }

  /** Unmounts every mount point under {@code folder}, innermost first (lazily when busy). */
  static void unmountUnder(Path folder) {
    String prefix = folder.toAbsolutePath().normalize() + "/";
    List<String> mountPoints = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(MOUNT_INFO, StandardCharsets.UTF_8)) {
        String[] fields = line.split(" ");
        if (fields.length > 4 && unescape(fields[4]).startsWith(prefix)) {
          mountPoints.add(unescape(fields[4]));
        }
      }
    } catch (NoSuchFileException e) {
      return;
    } catch (IOException e) {
      throw IoErrors.translate("reading " + MOUNT_INFO, e);
    }
    mountPoints.sort(java.util.Comparator.comparing(String::length).reversed());
    for (String mountPoint : mountPoints) {
      try {
        run("umount", mountPoint);
      } catch (FerryException busy) {
        run("umount", "--lazy", mountPoint);
      }
    }
  }

  /** Decodes the octal escapes of mountinfo ({@code \040} for a space and so on). */
  static String unescape(String field) {
    StringBuilder result = new StringBuilder(field.length());
    for (int index = 0; index < field.length(); index++) {
      char character = field.charAt(index);
      if (character == '\\' && index + 3 < field.length() && field.substring(index + 1, index + 4).matches("[0-7]{3}")) {
        result.append((char) Integer.parseInt(field.substring(index + 1, index + 4), 8));
        index += 3;
      } else {
        result.append(character);
      }
    }
    return result.toString();
  }

  private static void run(String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new FerryException(ErrorCode.HOST_OPERATION_FAILED, "local cloud: " + String.join(" ", command) + " did not finish");
      }
      if (process.exitValue() != 0) {
        throw new FerryException(
            ErrorCode.HOST_OPERATION_FAILED,
            "local cloud: " + String.join(" ", command) + " failed (" + process.exitValue() + "): " + output);
      }
    } catch (IOException e) {
      throw new FerryException(ErrorCode.HOST_OPERATION_FAILED, "local cloud: cannot run " + command[0] + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FerryException(ErrorCode.CANCELLED, "local cloud: interrupted while running " + command[0]);
    }
  }
}
