package io.ferry.standardization.image.vhd;

import static io.ferry.standardization.image.vhd.DiskFixtures.content;
import static io.ferry.standardization.image.vhd.DiskFixtures.qemuImgOk;
import static io.ferry.standardization.image.vhd.DiskFixtures.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImages;
import io.ferry.standardization.image.vhdx.VhdxSeeds;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hand-built fuzz seeds of VMDK, VHD, VHDX, OVA and GCP archives are valid images: Ferry reads
 * each exactly as qemu-img (or GNU tar, for the archives) does, so fuzzing starts from inputs that
 * reach deep into the readers.
 */
class FuzzSeedsIT {

  private static final Path SEEDS = Path.of("src/test/resources/fuzz");

  @TempDir Path directory;

  static Stream<Path> seeds() throws IOException {
    List<Path> all = new java.util.ArrayList<>();
    for (String folder : List.of("vmdk", "vhd", "vhdx", "ova", "gcp")) {
      try (Stream<Path> files = Files.walk(SEEDS.resolve(folder))) {
        files.filter(path -> path.getParent().getFileName().toString().startsWith("fuzz"))
            .filter(Files::isRegularFile)
            .forEach(all::add);
      }
    }
    assertThat(all).hasSizeGreaterThanOrEqualTo(12);
    return all.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("seeds")
  void ferryReadsEachSeedAsTheReferenceToolDoes(Path seed) throws Exception {
    String name = seed.getFileName().toString();
    Path expected = directory.resolve("expected.raw");
    if (name.endsWith(".tar.gz")) {
      run("tar", "-xzf", seed.toAbsolutePath().toString());
      Files.move(directory.resolve("disk.raw"), expected);
    } else if (name.endsWith(".ova")) {
      run("tar", "-xf", seed.toAbsolutePath().toString());
      // chunks (ovf:chunkSize) joined with cat, a gzip'd disk (ovf:compression) inflated with gzip
      run("sh", "-c", "if [ -e seed-disk1.vmdk.000000000 ]; then cat seed-disk1.vmdk.0* > seed-disk1.vmdk; fi");
      run("sh", "-c", "if [ \"$(head -c 2 seed-disk1.vmdk | od -An -tx1 | tr -d ' ')\" = 1f8b ]; then"
          + " mv seed-disk1.vmdk disk.gz && gzip -d disk.gz && mv disk seed-disk1.vmdk; fi");
      qemuImgOk("convert", "-f", "vmdk", "-O", "raw", directory.resolve("seed-disk1.vmdk").toString(), expected.toString());
    } else if (name.endsWith(".records")) {
      Path image = directory.resolve("seed.vhdx");
      VhdxSeeds.materialize(Files.readAllBytes(seed), image);
      seed = image;
      // qemu-img replays a log only when it opens the file read-write: on a copy, Ferry reads the original
      Path replayed = Files.copy(image, directory.resolve("replayed-by-qemu.vhdx"));
      qemuImgOk("check", "-r", "all", "-f", "vhdx", replayed.toString());
      qemuImgOk("convert", "-f", "vhdx", "-O", "raw", replayed.toString(), expected.toString());
    } else {
      String format = name.endsWith(".vhd") ? "vpc" : "vmdk";
      qemuImgOk("convert", "-f", format, "-O", "raw", seed.toString(), expected.toString());
    }
    try (DiskImageReader reader = DiskImages.open(seed)) {
      byte[] actual = readAll(reader);
      assertThat(java.util.Arrays.mismatch(actual, content(expected, reader.virtualSize())))
          .as("first differing byte").isEqualTo(-1);
      assertThat(reader.virtualSize()).isEqualTo(Files.size(expected));
    }
  }

  private void run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
    try (InputStream in = process.getInputStream()) {
      in.readAllBytes();
    }
    assertThat(process.waitFor()).isZero();
  }
}
