package io.ferry.agent.layer.internal;

import io.ferry.agent.offline.internal.Mounts;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a guest's own tool inside its root: the host's {@code chroot} into the mounted root with
 * the host's /dev bound, /proc and /sys bound read-only and a fresh tmpfs on /run, a clean
 * environment and a time limit. Guest binaries never run outside the root; the bind mounts are
 * removed afterwards in reverse order, also on failure, and any process still running inside the
 * root is killed first. On a live system (the root is the running {@code /}) the tool runs
 * directly.
 */
public final class GuestChroot {

  /** The outcome of one command. */
  public record Result(int exitStatus, double seconds, String output) {}

  private static final Map<String, String> ENVIRONMENT = Map.of(
      "PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "HOME", "/root", "LANG", "C", "LC_ALL", "C",
      "DEBIAN_FRONTEND", "noninteractive");

  private final Path root;
  private final boolean live;
  private final Duration timeLimit;
  private final int maxOutput;

  public GuestChroot(Path root, boolean live, Duration timeLimit, int maxOutput) {
    this.root = root;
    // The running system's own root (--root / without --live) is never bound over itself.
    this.live = live || isHostRoot(root);
    this.timeLimit = timeLimit;
    this.maxOutput = maxOutput;
  }

  private static boolean isHostRoot(Path root) {
    try {
      return root.toRealPath().equals(Path.of("/").toRealPath());
    } catch (IOException e) {
      return false;
    }
  }

  /** Why commands cannot run in this root (a mount point is missing or a link), or null. */
  public String unusableBecause() {
    if (live) {
      return null;
    }
    for (String directory : List.of("dev", "proc", "sys", "run")) {
      if (!Mounts.isRealDirectory(root, root.resolve(directory))) {
        return "the root has no /" + directory + " directory (or it is a symbolic link) to mount on";
      }
    }
    return null;
  }

  /**
   * Runs {@code command} (a path and arguments inside the root).
   *
   * @throws FerryException HOST_OPERATION_FAILED when the chroot cannot be set up
   */
  public Result run(List<String> command) {
    if (live) {
      return execute(command);
    }
    String unusable = unusableBecause();
    if (unusable != null) {
      throw new FerryException(ErrorCode.HOST_OPERATION_FAILED, "cannot chroot into " + root + ": " + unusable);
    }
    try (Mounts mounts = new Mounts()) {
      mounts.mount(List.of("--bind"), "/dev", root, root.resolve("dev"));
      mounts.mount(List.of("--bind", "-o", "ro"), "/proc", root, root.resolve("proc"));
      mounts.mount(List.of("--bind", "-o", "ro"), "/sys", root, root.resolve("sys"));
      mounts.mount(List.of("-t", "tmpfs", "-o", "mode=0755,nosuid,nodev,size=64m"), "tmpfs", root, root.resolve("run"));
      mounts.onClose(this::killProcessesInside);
      List<String> chrooted = new ArrayList<>(List.of("chroot", root.toString()));
      chrooted.addAll(command);
      return execute(chrooted);
    }
  }

  private Result execute(List<String> command) {
    long started = System.nanoTime();
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().clear();
    builder.environment().putAll(ENVIRONMENT);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new FerryException(ErrorCode.HOST_OPERATION_FAILED, "cannot run " + command.get(0) + ": " + e.getMessage(), e);
    }
    Tail tail = new Tail(process.getInputStream(), maxOutput);
    Thread reader = new Thread(tail, "ferry-guest-output");
    reader.setDaemon(true);
    reader.start();
    try {
      boolean finished = process.waitFor(timeLimit.toMillis(), TimeUnit.MILLISECONDS);
      if (!finished) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
      reader.join(TimeUnit.SECONDS.toMillis(5));
      double seconds = (System.nanoTime() - started) / 1e9;
      String output = tail.text();
      if (!finished) {
        return new Result(-1, seconds, output + "\n[stopped after the time limit of " + timeLimit.toSeconds() + " s]");
      }
      return new Result(process.exitValue(), seconds, output);
    } catch (InterruptedException e) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new FerryException(ErrorCode.CANCELLED, "interrupted while running " + String.join(" ", command), e);
    }
  }

  /** Kills what a guest tool left running inside the root (its /proc/PID/root is the root). */
  private void killProcessesInside() {
    Path real;
    try {
      real = root.toRealPath();
    } catch (IOException e) {
      return;
    }
    ProcessHandle.allProcesses().forEach(handle -> {
      try {
        if (Files.readSymbolicLink(Path.of("/proc", Long.toString(handle.pid()), "root")).equals(real)) {
          handle.destroyForcibly();
          handle.onExit().get(5, TimeUnit.SECONDS);
        }
      } catch (Exception e) {
        // gone already, or not ours to read
      }
    });
  }

  /** Keeps the last characters of a stream. */
  private static final class Tail implements Runnable {
    private final InputStream in;
    private final int max;
    private final StringBuilder kept = new StringBuilder();
    private boolean cut;

    Tail(InputStream in, int max) {
      this.in = in;
      this.max = max;
    }

    @Override
    public void run() {
      byte[] buffer = new byte[8192];
      try (in) {
        int read;
        while ((read = in.read(buffer)) > 0) {
          synchronized (this) {
            kept.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
            if (kept.length() > max) {
              kept.delete(0, kept.length() - max);
              cut = true;
            }
          }
        }
      } catch (IOException e) {
        // the process ended
      }
    }

    synchronized String text() {
      return (cut ? "[...]\n" : "") + kept.toString().strip();
    }
  }
}
