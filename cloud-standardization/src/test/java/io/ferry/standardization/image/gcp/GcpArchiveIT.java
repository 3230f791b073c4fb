package io.ferry.standardization.image.gcp;

import static io.ferry.standardization.image.vhd.DiskFixtures.checkedExtents;
import static io.ferry.standardization.image.vhd.DiskFixtures.content;
import static io.ferry.standardization.image.vhd.DiskFixtures.qemuImgOk;
import static io.ferry.standardization.image.vhd.DiskFixtures.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.standardization.ProgressListener;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.DiskImages;
import io.ferry.standardization.image.Extent;
import io.ferry.standardization.image.ExtentType;
import io.ferry.standardization.image.ImageProbe;
import io.ferry.standardization.image.WriteOptions;
import io.ferry.standardization.image.raw.RawFormatHandler;
import io.ferry.standardization.image.vhd.DiskFixtures;
import io.ferry.standardization.image.vhd.DiskFixtures.Shape;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** GCP image archives written by Ferry checked with gzip, GNU tar and qemu-img, and read back. */
class GcpArchiveIT {

  @TempDir Path directory;

  @ParameterizedTest
  @EnumSource(Shape.class)
  void writesAnArchiveThatGnuTarExtractsToAnIdenticalDisk(Shape shape) throws Exception {
    Path raw = DiskFixtures.raw(directory.resolve("source.raw"), shape, 51);
    Path archive = directory.resolve("image.tar.gz");
    try (DiskImageReader reader = new RawFormatHandler().open(raw);
        DiskImageWriter writer =
            new GcpArchiveFormatHandler().create(archive, reader.virtualSize(), WriteOptions.DEFAULTS)) {
      DiskImages.convert(reader, writer, ProgressListener.NONE);
    }
    run(directory, "gzip", "-t", archive.toString());
    assertThat(run(directory, "tar", "-tzf", archive.toString()).lines()).containsExactly("disk.raw");
    byte[] header;
    try (InputStream in = new GZIPInputStream(Files.newInputStream(archive))) {
      header = in.readNBytes(512);
    }
    assertThat(new String(header, 257, 8, StandardCharsets.US_ASCII)).isEqualTo("ustar  \0");
    Path extracted = Files.createDirectories(directory.resolve("extracted"));
    run(extracted, "tar", "-xzf", archive.toString());
    assertThat(Files.size(extracted.resolve("disk.raw"))).isEqualTo(shape.size());
    qemuImgOk("compare", "-f", "raw", "-F", "raw", raw.toString(), extracted.resolve("disk.raw").toString());

    assertThat(matches(archive)).isTrue();
    try (DiskImageReader reader = new GcpArchiveFormatHandler().open(archive)) {
      assertThat(reader.format()).isEqualTo(DiskFormat.GCP_IMAGE_TAR);
      assertThat(readAll(reader)).isEqualTo(content(raw, shape.size()));
      List<Extent> extents = checkedExtents(reader);
      if (shape == Shape.EMPTY) {
        assertThat(extents).allMatch(extent -> extent.type() == ExtentType.UNALLOCATED);
      }
    }
    try (var files = Files.list(directory)) {
      assertThat(files.map(path -> path.getFileName().toString()))
          .as("no temporary extraction left behind")
          .containsExactlyInAnyOrder("source.raw", "image.tar.gz", "extracted");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"--format=oldgnu -S", "--format=oldgnu", "--format=posix -S", "--format=gnu"})
  void readsArchivesMadeByGnuTar(String options) throws Exception {
    Path work = Files.createDirectories(directory.resolve("work"));
    Path raw = DiskFixtures.raw(work.resolve("disk.raw"), Shape.MIXED, 52);
    Path archive = directory.resolve("gnu.tar.gz");
    List<String> command = new java.util.ArrayList<>(List.of("tar"));
    command.addAll(List.of(options.split(" ")));
    command.addAll(List.of("-czf", archive.toString(), "disk.raw"));
    run(work, command.toArray(String[]::new));
    assertThat(matches(archive)).isTrue();
    try (DiskImageReader reader = new GcpArchiveFormatHandler().open(archive)) {
      assertThat(reader.virtualSize()).isEqualTo(Shape.MIXED.size());
      assertThat(readAll(reader)).isEqualTo(content(raw, Shape.MIXED.size()));
    }
  }

  private static boolean matches(Path path) throws Exception {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      return new GcpArchiveFormatHandler().matches(new ImageProbe(path, channel));
    }
  }

  static String run(Path workingDirectory, String... command) throws Exception {
    Process process =
        new ProcessBuilder(List.of(command)).directory(workingDirectory.toFile()).redirectErrorStream(true).start();
    String output;
    try (InputStream in = process.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
    return output;
  }
}
