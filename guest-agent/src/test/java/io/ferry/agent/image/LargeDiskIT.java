package io.ferry.agent.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.standardization.image.QemuImg;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 2 TiB virtual disk with data scattered across it converts with the shipped agent jar in a JVM
 * limited to 256 MiB of heap, and qemu-img finds the outputs identical and consistent.
 */
class LargeDiskIT {

  private static final Path AGENT_JAR = Path.of("target", "ferry-agent.jar");
  private static final long TWO_TIB = 2L << 40;

  @TempDir Path directory;

  @BeforeAll
  static void needsTools() {
    assumeTrue(QemuImg.available(), "qemu-img is not installed (scripts/test-packages.apt)");
    assumeTrue(Files.isRegularFile(AGENT_JAR), "the agent jar is built in the package phase");
  }

  @Test
  void twoTebibyteDiskConvertsWithA256MebibyteHeap() throws Exception {
    Path source = directory.resolve("big.qcow2");
    QemuImg.create(source, "qcow2", TWO_TIB);
    qemuIo(source, "write -P 0x11 0 1M");
    qemuIo(source, "write -P 0x22 1099511627264 70k"); // straddles 1 TiB, not cluster aligned
    qemuIo(source, "write -P 0x33 " + (TWO_TIB - 512 * 1024) + " 512k"); // the very end
    qemuIo(source, "write -z 4M 8M"); // zero clusters

    Path qcow2 = directory.resolve("out.qcow2");
    assertThat(agent("image", "convert", "-q", "-O", "qcow2", source.toString(), qcow2.toString()))
        .isZero();
    assertThat(QemuImg.compare(source, "qcow2", qcow2, "qcow2").exitCode()).isZero();
    assertThat(QemuImg.check(qcow2, "qcow2").exitCode()).isZero();
    assertThat(Files.size(qcow2)).isLessThan(16L << 20);

    Path raw = directory.resolve("out.raw");
    assertThat(agent("image", "convert", "-q", "-O", "raw", qcow2.toString(), raw.toString()))
        .isZero();
    assertThat(Files.size(raw)).isEqualTo(TWO_TIB);
    assertThat(QemuImg.info(raw).get("actual-size").asLong()).isLessThan(64L << 20);
    assertThat(QemuImg.compare(source, "qcow2", raw, "raw").exitCode()).isZero();
  }

  private static void qemuIo(Path image, String command) throws Exception {
    Process process =
        new ProcessBuilder("qemu-io", "-f", "qcow2", "-c", command, image.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
  }

  private static int agent(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(List.of("-Xmx256m", "-jar", AGENT_JAR.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(300, TimeUnit.SECONDS)).as(output).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return process.exitValue();
  }
}
