package io.ferry.orchestrator.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** Asserts that nothing of a job is left on this host or in the local cloud accounts. */
public final class Leftovers {

  private Leftovers() {}

  /**
   * No mount point under {@code root} except {@code allowedMounts}, no loop device backed by a file
   * under {@code root}, no guest agent process of {@code jobIds}, no work folder of theirs under
   * {@code workDirectory}, and no upload, volume, helper or boot check file in {@code accounts}.
   */
  public static void assertNone(Path root, Set<Path> allowedMounts, Path workDirectory, List<String> jobIds,
      List<Path> accounts) throws Exception {
    String prefix = root.toAbsolutePath().normalize() + "/";
    List<String> mounts = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
      String mountPoint = line.split(" ")[4];
      if (mountPoint.startsWith(prefix) && allowedMounts.stream().noneMatch(p -> p.toString().equals(mountPoint))) {
        mounts.add(mountPoint);
      }
    }
    assertThat(mounts).as("mounts left under " + root).isEmpty();
    List<String> loops = new ArrayList<>();
    try (Stream<Path> devices = Files.list(Path.of("/sys/block"))) {
      for (Path device : devices.filter(d -> d.getFileName().toString().startsWith("loop")).toList()) {
        Path backing = device.resolve("loop/backing_file");
        if (Files.isReadable(backing) && Files.readString(backing).trim().startsWith(prefix)) {
          loops.add(device.getFileName() + " -> " + Files.readString(backing).trim());
        }
      }
    }
    assertThat(loops).as("loop devices left").isEmpty();
    for (String jobId : jobIds) {
      String marker = "-Dferry.job=" + jobId;
      assertThat(ProcessHandle.allProcesses()
              .filter(p -> p.info().arguments().map(a -> List.of(a).contains(marker)).orElse(false)).toList())
          .as("agent processes of " + jobId).isEmpty();
      assertThat(workDirectory.resolve(jobId)).as("work folder of " + jobId).doesNotExist();
    }
    for (Path account : accounts) {
      for (String folder : List.of("uploads", "volumes", "helpers", "boots")) {
        Path path = account.resolve(folder);
        if (Files.isDirectory(path)) {
          try (Stream<Path> files = Files.list(path)) {
            assertThat(files.toList()).as(path + " after cleanup").isEmpty();
          }
        }
      }
    }
  }
}
