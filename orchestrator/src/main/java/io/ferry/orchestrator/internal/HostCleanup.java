package io.ferry.orchestrator.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases what a job (or a guest agent a dead worker left running) holds on this host: agent
 * processes, mounts under the job's folder, loop devices backed by its files, and the folder.
 */
public final class HostCleanup {

  private static final Logger LOG = LoggerFactory.getLogger(HostCleanup.class);

  /** The system property that marks an agent process with its job on the command line. */
  public static final String JOB_PROPERTY = "ferry.job";

  private HostCleanup() {}

  /** Kills every guest agent process started for {@code jobId} (by any worker) and waits for them. */
  public static int killAgents(String jobId) {
    String marker = "-D" + JOB_PROPERTY + "=" + jobId;
    List<ProcessHandle> found = ProcessHandle.allProcesses()
        .filter(process -> process.info().arguments().map(arguments -> List.of(arguments).contains(marker)).orElse(false))
        .toList();
    for (ProcessHandle process : found) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    for (ProcessHandle process : found) {
      try {
        process.onExit().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("agent process {} of job {} did not exit: {}", process.pid(), jobId, e.toString());
      }
    }
    return found.size();
  }

  /** Unmounts everything mounted under {@code folder} and detaches loop devices backed by files in it. */
  public static void releaseMountsAndLoops(Path folder) {
    String prefix = folder.toAbsolutePath().normalize().toString() + "/";
    List<String> mountPoints = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
        String[] fields = line.split(" ");
        if (fields.length > 4) {
          String mountPoint = fields[4].replace("\\040", " ");
          if (mountPoint.startsWith(prefix)) {
            mountPoints.add(mountPoint);
          }
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot read /proc/self/mountinfo: {}", e.toString());
    }
    mountPoints.sort(Comparator.comparing(String::length).reversed());
    for (String mountPoint : mountPoints) {
      if (run("umount", mountPoint) != 0) {
        run("umount", "--lazy", mountPoint);
      }
    }
    for (String device : loopDevices(prefix)) {
      run("losetup", "-d", device);
    }
  }

  /** Loop devices whose backing file lies under {@code prefix}. */
  public static List<String> loopDevices(String prefix) {
    List<String> devices = new ArrayList<>();
    try {
      Path block = Path.of("/sys/block");
      if (!Files.isDirectory(block)) {
        return devices;
      }
      try (var entries = Files.list(block)) {
        for (Path entry : entries.filter(path -> path.getFileName().toString().startsWith("loop")).toList()) {
          Path backing = entry.resolve("loop/backing_file");
          if (Files.isReadable(backing)) {
            String file = Files.readString(backing).trim();
            if (file.startsWith(prefix)) {
              devices.add("/dev/" + entry.getFileName());
            }
          }
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot list loop devices: {}", e.toString());
    }
    return devices;
  }

  /** Deletes {@code folder} and everything in it; a missing folder is fine. */
  public static void deleteRecursively(Path folder) throws IOException {
    if (!Files.exists(folder)) {
      return;
    }
    Files.walkFileTree(folder, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path directory, IOException e) throws IOException {
        Files.deleteIfExists(directory);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private static int run(String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int status = process.waitFor();
      if (status != 0) {
        LOG.warn("{} exited with {}: {}", String.join(" ", command), status, output.trim());
      }
      return status;
    } catch (IOException e) {
      LOG.warn("{} failed: {}", String.join(" ", command), e.toString());
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
