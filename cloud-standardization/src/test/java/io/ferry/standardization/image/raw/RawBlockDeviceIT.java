package io.ferry.standardization.image.raw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImages;
import io.ferry.standardization.image.TestImages;
import io.ferry.standardization.image.TestImages.Pattern;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A block device (a loop device here) reads as a raw disk of the device's size, although the
 * file system reports block devices as 0 bytes long. Needs root and losetup; skipped otherwise.
 */
class RawBlockDeviceIT {

  @TempDir Path directory;

  @Test
  void readsABlockDeviceAsRaw() throws Exception {
    Path file = TestImages.writeRaw(directory.resolve("disk.raw"), 3L << 20, Pattern.MIXED, 9);
    String device = run("losetup", "--find", "--show", "--read-only", file.toString());
    assumeTrue(device != null && device.startsWith("/dev/"), "loop devices are not available");
    try (DiskImageReader reader = DiskImages.open(Path.of(device))) {
      assertThat(reader.format()).isEqualTo(DiskFormat.RAW);
      assertThat(reader.virtualSize()).isEqualTo(3L << 20);
      ByteBuffer content = ByteBuffer.allocate(3 << 20);
      reader.read(0, content);
      assertThat(content.array()).isEqualTo(Files.readAllBytes(file));
    } finally {
      run("losetup", "--detach", device);
    }
  }

  /** Runs a command; its trimmed output, or null when it cannot run or fails. */
  private static String run(String... command) throws InterruptedException {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        return null;
      }
      return output.trim();
    } catch (IOException e) {
      return null;
    }
  }
}
