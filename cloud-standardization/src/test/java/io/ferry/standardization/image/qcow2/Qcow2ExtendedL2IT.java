package io.ferry.standardization.image.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.standardization.ProgressListener;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.DiskImages;
import io.ferry.standardization.image.Extent;
import io.ferry.standardization.image.ExtentType;
import io.ferry.standardization.image.QemuImg;
import io.ferry.standardization.image.WriteOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * qcow2 images with extended L2 entries (qemu's {@code extended_l2=on}), whose clusters are
 * allocated, zeroed and discarded subcluster by subcluster with {@code qemu-io}: Ferry's map of
 * the disk is qemu's ({@code qemu-img map}), run by run, and Ferry's raw copy is identical.
 */
class Qcow2ExtendedL2IT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @ParameterizedTest(name = "cluster_size={0}")
  @ValueSource(strings = {"16k", "64k", "2M"})
  void subclusterMapsAndDataAreQemus(String clusterSize) throws Exception {
    assumeTrue(QemuImg.available(), "qemu-img is not installed (scripts/test-packages.apt)");
    Path directory = java.nio.file.Files.createTempDirectory("ferry-extended-l2");
    try {
      Path image = directory.resolve("subclusters.qcow2");
      QemuImg.run(List.of("create", "-q", "-f", "qcow2", "-o", "extended_l2=on,cluster_size=" + clusterSize,
          image.toString(), "5000000")).orThrow();
      // pieces of subclusters written, zeroed and discarded, across cluster boundaries
      qemuIo(image, "write -P 0xab 2048 2048", "write -z 8192 2048", "write -P 0xcd 70000 5000",
          "write -P 0x11 1000000 300000", "write -z 1100000 20000", "discard 1200000 65536",
          "write -P 0x22 4190000 600000", "write -z 4999000 1000");
      try (DiskImageReader reader = DiskImages.open(image)) {
        assertThat(runs(reader.extents())).isEqualTo(qemuRuns(image));
        Path raw = directory.resolve("copy.raw");
        try (DiskImageWriter writer = DiskImages.create(raw, DiskFormat.RAW, reader.virtualSize(), WriteOptions.DEFAULTS)) {
          DiskImages.convert(reader, writer, ProgressListener.NONE);
        }
        QemuImg.Result compare = QemuImg.compare(image, "qcow2", raw, "raw");
        assertThat(compare.exitCode()).as(compare.output()).isZero();
      }
    } finally {
      try (var files = java.nio.file.Files.walk(directory)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  /** Adjacent extents of the same type merged, as "offset+length:TYPE". */
  private static List<String> runs(Iterator<Extent> extents) {
    List<Extent> merged = new ArrayList<>();
    while (extents.hasNext()) {
      Extent next = extents.next();
      Extent last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && last.type() == next.type()) {
        merged.set(merged.size() - 1, new Extent(last.offset(), last.length() + next.length(), next.type()));
      } else {
        merged.add(next);
      }
    }
    return merged.stream().map(extent -> extent.offset() + "+" + extent.length() + ":" + extent.type()).toList();
  }

  /** qemu-img map's view: data is DATA, present zeros are ZERO, the rest UNALLOCATED. */
  private static List<String> qemuRuns(Path image) throws Exception {
    JsonNode map = JSON.readTree(QemuImg.run(List.of("map", "--output=json", "-f", "qcow2", image.toString())).orThrow().output());
    List<Extent> extents = new ArrayList<>();
    for (JsonNode run : map) {
      ExtentType type = run.get("data").asBoolean() ? ExtentType.DATA
          : run.get("present").asBoolean() ? ExtentType.ZERO : ExtentType.UNALLOCATED;
      extents.add(new Extent(run.get("start").asLong(), run.get("length").asLong(), type));
    }
    return runs(extents.iterator());
  }

  private static void qemuIo(Path image, String... commands) throws Exception {
    List<String> command = new ArrayList<>(List.of("qemu-io", "-f", "qcow2"));
    for (String each : commands) {
      command.add("-c");
      command.add(each);
    }
    command.add(image.toString());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).doesNotContain("error", "failed");
  }
}
