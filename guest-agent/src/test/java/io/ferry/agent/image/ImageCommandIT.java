package io.ferry.agent.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.agent.FerryAgent;
import io.ferry.standardization.image.QemuImg;
import io.ferry.standardization.image.TestImages;
import io.ferry.standardization.image.TestImages.Pattern;
import io.ferry.standardization.image.ova.TwoDiskOvf;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The agent's {@code image info|convert|compare} commands, checked against qemu-img. */
class ImageCommandIT {

  private static final long SIZE = 5L * 1024 * 1024 + 3 * 512;

  @TempDir Path directory;
  private Path raw;
  private Path qcow2;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeAll
  static void needsQemuImg() {
    assumeTrue(QemuImg.available(), "qemu-img is not installed (scripts/test-packages.apt)");
  }

  @BeforeEach
  void images() throws IOException {
    raw = TestImages.writeRaw(directory.resolve("disk.raw"), SIZE, Pattern.MIXED, 42);
    qcow2 = directory.resolve("disk.qcow2");
    QemuImg.convert(raw, "raw", qcow2, "qcow2");
  }

  @Test
  void convertsQcow2ToQcow2AndRawIdentically() throws IOException {
    Path converted = directory.resolve("converted.qcow2");
    assertThat(agent("image", "convert", "-O", "qcow2", qcow2.toString(), converted.toString()))
        .isZero();
    assertThat(out.toString()).contains("progress: 100%").contains("converted");
    assertThat(QemuImg.compare(raw, "raw", converted, "qcow2").exitCode()).isZero();
    assertThat(QemuImg.check(converted, "qcow2").exitCode()).isZero();

    Path back = directory.resolve("back.raw");
    assertThat(agent("image", "convert", "-q", "-O", "raw", converted.toString(), back.toString()))
        .isZero();
    assertThat(QemuImg.compare(raw, "raw", back, "raw").exitCode()).isZero();
  }

  @Test
  void convertsCompressed() throws IOException {
    Path converted = directory.resolve("compressed.qcow2");
    assertThat(agent("image", "convert", "-c", "-O", "qcow2", raw.toString(), converted.toString()))
        .isZero();
    assertThat(QemuImg.compare(raw, "raw", converted, "qcow2").exitCode()).isZero();
    QemuImg.Result check = QemuImg.check(converted, "qcow2");
    assertThat(check.exitCode()).isZero();
    assertThat(check.output()).contains("compressed clusters").doesNotContain(" 0.00% compressed");
  }

  @Test
  void infoPrintsJson() throws IOException {
    assertThat(agent("image", "info", qcow2.toString(), "--output", "json")).isZero();
    JsonNode json = new ObjectMapper().readTree(out.toString());
    assertThat(json.get("format").asText()).isEqualTo("qcow2");
    assertThat(json.get("virtualSize").asLong()).isEqualTo(SIZE);
    assertThat(json.get("fileSize").asLong()).isEqualTo(Files.size(qcow2));
    assertThat(json.get("allocatedBytes").asLong()).isPositive().isLessThan(SIZE);
  }

  /** A split VMDK's file size is the descriptor's and its extent files', which are listed. */
  @Test
  void infoOfASplitVmdkCountsItsExtentFiles() throws IOException {
    Path split = directory.resolve("split.vmdk");
    QemuImg.convert(raw, "raw", split, "vmdk", "-o", "subformat=twoGbMaxExtentSparse");
    Path extent = directory.resolve("split-s001.vmdk");
    assertThat(agent("image", "info", split.toString(), "--output", "json")).isZero();
    JsonNode json = new ObjectMapper().readTree(out.toString());
    assertThat(json.get("format").asText()).isEqualTo("vmdk-monolithicFlat");
    assertThat(json.get("virtualSize").asLong()).isEqualTo(SIZE);
    assertThat(json.get("fileSize").asLong()).isEqualTo(Files.size(split) + Files.size(extent));
    assertThat(json.get("extentFiles")).hasSize(1);
    assertThat(json.get("extentFiles").get(0).asText()).endsWith("split-s001.vmdk");
    assertThat(json.get("notes").get(0).asText()).isEqualTo("VMDK descriptor of createType twoGbMaxExtentSparse, 1 extent");
  }

  @Test
  void compareExitsZeroForIdenticalImagesOfDifferentFormats() {
    assertThat(agent("image", "compare", raw.toString(), qcow2.toString())).isZero();
    assertThat(out.toString()).contains("Images are identical.");
  }

  @Test
  void compareExitsOneAndNamesTheFirstDifferingOffset() throws IOException {
    Path changed = directory.resolve("changed.raw");
    Files.copy(raw, changed);
    long offset = 3L * 1024 * 1024 + 777;
    try (FileChannel channel = FileChannel.open(changed, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      channel.read(one, offset);
      one.put(0, (byte) (one.get(0) ^ 0x5a)).rewind();
      channel.write(one, offset);
    }
    assertThat(agent("image", "compare", qcow2.toString(), changed.toString())).isEqualTo(1);
    assertThat(out.toString()).contains("Content mismatch at offset " + offset + "!");
    // qemu-img names the 512-byte sector; Ferry the exact byte.
    assertThat(QemuImg.compare(qcow2, "qcow2", changed, "raw").output())
        .contains("offset " + (offset & ~511L));
  }

  @Test
  void compareExitsTwoOnErrors() {
    assertThat(agent("image", "compare", raw.toString(), directory.resolve("missing").toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("NOT_FOUND");
  }

  @Test
  void convertOfACorruptImageFailsCleanlyAndLeavesNoOutput() throws IOException {
    try (FileChannel channel = FileChannel.open(qcow2, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.allocate(8).putLong(0, 1L << 40), 40); // L1 table far past EOF
    }
    Path converted = directory.resolve("never.raw");
    assertThat(agent("image", "convert", "-O", "raw", qcow2.toString(), converted.toString()))
        .isEqualTo(1);
    assertThat(err.toString()).contains("IMAGE_CORRUPT").contains("L1 table at offset " + (1L << 40));
    assertThat(converted).doesNotExist();
    assertThat(directory.resolve("never.raw.ferry-partial")).doesNotExist();
  }

  /** An OVA with a data disk: info lists it, convert converts the boot disk and warns. */
  @Test
  void anOvasOtherDisksAreNamedNotSilentlyLeftOut() throws Exception {
    Path work = Files.createDirectories(directory.resolve("ova"));
    QemuImg.convert(raw, "raw", work.resolve("boot.vmdk"), "vmdk", "-o", "subformat=streamOptimized");
    QemuImg.convert(qcow2, "qcow2", work.resolve("data.vmdk"), "vmdk", "-o", "subformat=streamOptimized");
    Files.writeString(work.resolve("vm.ovf"), TwoDiskOvf.envelope("data.vmdk", SIZE, "boot.vmdk", SIZE));
    Path ova = directory.resolve("vm.ova");
    Process tar = new ProcessBuilder("tar", "-cf", ova.toString(), "vm.ovf", "boot.vmdk", "data.vmdk")
        .directory(work.toFile()).inheritIO().start();
    assertThat(tar.waitFor()).isZero();

    assertThat(agent("image", "info", ova.toString(), "--output", "json")).isZero();
    JsonNode json = new ObjectMapper().readTree(out.toString());
    assertThat(json.get("format").asText()).isEqualTo("ova");
    assertThat(json.get("otherDisks")).hasSize(1);
    assertThat(json.get("otherDisks").get(0).asText()).isEqualTo("disk data (file data.vmdk, " + SIZE + " bytes)");

    Path converted = directory.resolve("boot.raw");
    assertThat(agent("image", "convert", "-q", "-O", "raw", ova.toString(), converted.toString())).isZero();
    assertThat(err.toString())
        .contains("warning: " + ova + " holds 2 disks; converting its boot disk only, not: disk data (file data.vmdk");
    assertThat(QemuImg.compare(raw, "raw", converted, "raw").exitCode()).isZero();
  }

  private int agent(String... args) {
    CommandLine commandLine = FerryAgent.commandLine(args);
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }
}
