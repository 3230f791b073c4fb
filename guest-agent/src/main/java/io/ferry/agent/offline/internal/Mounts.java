package io.ferry.agent.offline.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Loop devices, mounts and temporary mount points made for one run, undone in reverse order by
 * {@link #close()}: every undo step runs even when an earlier one fails (a busy mount is detached
 * lazily), and the first failure is thrown after all ran.
 */
public final class Mounts implements AutoCloseable {

  private interface Step {
    void undo() throws IOException;
  }

  private final Deque<Step> undo = new ArrayDeque<>();

  /** Attaches {@code length} bytes of {@code raw} at {@code offset} to a free loop device. */
  public String attach(Path raw, long offset, long length) {
    String device = HostCommands.run(List.of("losetup", "--find", "--show",
        "--offset", Long.toString(offset), "--sizelimit", Long.toString(length), raw.toAbsolutePath().toString()));
    undo.push(() -> HostCommands.run(List.of("losetup", "--detach", device)));
    return device;
  }

  /** A new empty directory, removed again on close. */
  public Path temporaryDirectory(Path parent, String prefix) throws IOException {
    Path directory = Files.createTempDirectory(parent, prefix);
    undo.push(() -> Files.deleteIfExists(directory));
    return directory;
  }

  /**
   * Mounts {@code source} on {@code target}.
   *
   * @param arguments mount(8)'s arguments before source and target ({@code -t vfat -o ro},
   *     {@code --bind})
   * @param trusted the part of {@code target} the host controls (a mount point it made); below it
   *     no component may be a symbolic link
   */
  public void mount(List<String> arguments, String source, Path trusted, Path target) {
    requireRealDirectory(trusted, target);
    List<String> command = new java.util.ArrayList<>();
    command.add("mount");
    command.addAll(arguments);
    command.add(source);
    command.add(target.toString());
    HostCommands.run(command);
    undo.push(() -> unmount(target));
  }

  /** Runs {@code step} on close, before what was set up earlier is undone. */
  public void onClose(Runnable step) {
    undo.push(step::run);
  }

  private static void unmount(Path target) {
    try {
      HostCommands.run(List.of("umount", target.toString()));
    } catch (FerryException e) {
      HostCommands.run(List.of("umount", "--lazy", target.toString()));
    }
  }

  /**
   * Refuses a mount target that is not a directory or is reached through a symbolic link: mount(8)
   * follows links, so a guest's {@code /boot -> /} would otherwise mount over the host's root.
   */
  static void requireRealDirectory(Path trusted, Path target) {
    if (!isRealDirectory(trusted, target)) {
      throw new FerryException(ErrorCode.HOST_OPERATION_FAILED, "refusing to mount on " + target
          + ": not a directory below " + trusted + " reached without symbolic links");
    }
  }

  /** Whether {@code target} is a directory below {@code trusted} whose path holds no symbolic link. */
  public static boolean isRealDirectory(Path trusted, Path target) {
    Path base = trusted.normalize();
    Path normalized = target.normalize();
    if (!normalized.startsWith(base)) {
      return false;
    }
    Path current = base;
    for (Path part : base.relativize(normalized)) {
      current = current.resolve(part);
      if (Files.isSymbolicLink(current)) {
        return false;
      }
    }
    return Files.isDirectory(normalized, LinkOption.NOFOLLOW_LINKS);
  }

  @Override
  public void close() {
    RuntimeException first = null;
    while (!undo.isEmpty()) {
      try {
        undo.pop().undo();
      } catch (IOException | RuntimeException e) {
        RuntimeException failure = e instanceof RuntimeException runtime ? runtime
            : new FerryException(ErrorCode.IO_ERROR, "cleanup failed: " + e.getMessage(), e);
        if (first == null) {
          first = failure;
        } else {
          first.addSuppressed(failure);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
