package io.ferry.plugin.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.standardization.spi.CleanupReport;
import io.ferry.standardization.spi.CloudPlugin;
import io.ferry.standardization.spi.JobTag;
import io.ferry.standardization.spi.PluginContext;
import io.ferry.standardization.spi.VolumeRef;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A helper that dies leaves its volume loop-attached and mounted; detaching or cleaning up the
 * volume releases both. Needs root and loop devices (skipped otherwise).
 */
class LoopDeviceCleanupIT {

  @TempDir Path account;
  @TempDir Path mounts;

  private final JobTag tag = new JobTag("job-loop-it");
  private String device;
  private Path mountPoint;

  private CloudPlugin plugin() {
    return new LocalCloudPluginFactory()
        .create(
            LocalAccounts.config(account, "raw", null),
            new PluginContext() {
              @Override
              public Clock clock() {
                return Clock.systemUTC();
              }

              @Override
              public Path scratchDirectory() {
                return mounts;
              }
            });
  }

  /** Attaches and mounts the volume as a helper would, then "dies" without releasing it. */
  private void attachAndMountLikeAHelper(Path volume) throws Exception {
    String attached = run("losetup", "--find", "--show", "--partscan", volume.toString());
    assumeTrue(attached != null && attached.startsWith("/dev/loop"), "no loop devices here (needs root)");
    device = attached.strip();
    assertThat(run("mkfs.ext4", "-q", device)).isNotNull();
    mountPoint = Files.createDirectories(mounts.resolve("helper root"));
    assertThat(run("mount", device, mountPoint.toString())).isNotNull();
    Files.writeString(mountPoint.resolve("hello"), "written by the helper");
  }

  @Test
  void detachReleasesMountAndLoopDevice() throws Exception {
    CloudPlugin plugin = plugin();
    VolumeRef volume = plugin.createVolume(16L << 20, tag);
    Path file = account.resolve("volumes").resolve(volume.id());
    attachAndMountLikeAHelper(file);

    plugin.detachVolume(volume);

    assertThat(mounted(device)).as("mounted after detach").isFalse();
    assertThat(backingFiles()).as("loop devices after detach").doesNotContain(file.toString());
    assertThat(file).exists();
    assertThat(run("debugfs", "-R", "cat /hello", file.toString())).contains("written by the helper");
    plugin.deleteTagged(tag, List.of());
  }

  @Test
  void deleteTaggedReleasesMountAndLoopDeviceBeforeDeleting() throws Exception {
    CloudPlugin plugin = plugin();
    VolumeRef volume = plugin.createVolume(16L << 20, tag);
    Path file = account.resolve("volumes").resolve(volume.id());
    attachAndMountLikeAHelper(file);

    CleanupReport report = plugin.deleteTagged(tag, List.of());

    assertThat(report.complete()).as("report %s", report).isTrue();
    assertThat(mounted(device)).isFalse();
    assertThat(backingFiles()).doesNotContain(file.toString());
    assertThat(file).doesNotExist();
  }

  @AfterEach
  void releaseWhateverIsLeft() throws Exception {
    if (mountPoint != null && mounted(device)) {
      run("umount", mountPoint.toString());
    }
    if (device != null && backingFiles().stream().anyMatch(backing -> backing.startsWith(account.toString()))) {
      run("losetup", "-d", device);
    }
  }

  private static boolean mounted(String device) throws Exception {
    return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().anyMatch(line -> line.contains(" " + device + " "));
  }

  private static List<String> backingFiles() throws Exception {
    String output = run("losetup", "--list", "--noheadings", "--output", "BACK-FILE");
    return output == null ? List.of() : output.lines().map(String::strip).toList();
  }

  /** Runs a command; its output, or null when it failed. */
  private static String run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      return null;
    }
    return output;
  }
}
