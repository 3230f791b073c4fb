package io.ferry.standardization.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.bundle.BundleManifest.ChunkEntry;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImages;
import io.ferry.standardization.image.WriteOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A damaged chunk on disk: verify names it, restore refuses and leaves no complete-looking output. */
class BundleIntegrityIT {

  private static final int CHUNK = 128 << 10;

  @TempDir Path folder;
  private LocalChunkStore store;
  private Bundles bundles;
  private ChunkEntry victim;

  @BeforeEach
  void bundleAndDamageOneChunk() throws Exception {
    Path source = folder.resolve("source.raw");
    Files.write(source, TestData.disk(4 << 20, 64 << 10, 5));
    store = new LocalChunkStore(folder.resolve("store"));
    bundles = new Bundles(store, Clock.systemUTC());
    BundleManifest manifest;
    try (DiskImageReader reader = DiskImages.open(source, DiskFormat.RAW)) {
      manifest = bundles.bundle("victim", reader, BundleManifest.Source.UNKNOWN,
          BundleOptions.defaults().withChunkSize(CHUNK)).manifest();
    }
    victim = manifest.chunks().get(manifest.chunks().size() - 2);
    Path chunkFile = store.chunkPath(victim.sha256());
    try (FileChannel channel = FileChannel.open(chunkFile, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      long middle = channel.size() / 2;
      channel.read(one, middle);
      one.flip();
      byte flipped = (byte) (one.get(0) ^ 0x40);
      channel.write(ByteBuffer.wrap(new byte[] {flipped}), middle);
    }
  }

  @Test
  void verifyNamesTheDamagedChunkAndItsDiskOffset() throws Exception {
    VerifyReport report = bundles.verify("victim", 2);

    assertThat(report.intact()).isFalse();
    assertThat(report.problems()).hasSize(1);
    assertThat(report.problems().get(0).chunkId()).isEqualTo(victim.sha256());
    assertThat(report.problems().get(0).offset()).isEqualTo(victim.offset());
    assertThat(report.problems().get(0).toString())
        .contains(victim.sha256()).contains("disk offset " + victim.offset());
  }

  @Test
  void restoreToARawFileRefusesAndLeavesNothingBehind() throws Exception {
    Path target = folder.resolve("out").resolve("restored.raw");
    Files.createDirectories(target.getParent());

    assertThatThrownBy(() -> bundles.restoreToFile("victim", target, RestoreOptions.defaults()))
        .isInstanceOfSatisfying(FerryException.class, failure -> {
          assertThat(failure.code()).isEqualTo(ErrorCode.INTEGRITY_CHECK_FAILED);
          assertThat(failure.getMessage()).contains(victim.sha256()).contains("disk offset " + victim.offset());
        });
    try (Stream<Path> left = Files.list(target.getParent())) {
      assertThat(left.toList()).isEmpty();
    }
  }

  @Test
  void restoreToQcow2RefusesAndLeavesNoImageUnderTheTargetName() throws Exception {
    Path target = folder.resolve("restored.qcow2");
    assertThatThrownBy(() -> bundles.restore("victim",
            DiskImages.create(target, DiskFormat.QCOW2, 4 << 20, WriteOptions.DEFAULTS), RestoreOptions.defaults()))
        .isInstanceOfSatisfying(FerryException.class,
            failure -> assertThat(failure.code()).isEqualTo(ErrorCode.INTEGRITY_CHECK_FAILED));
    assertThat(target).doesNotExist();
  }

  @Test
  void aMissingChunkIsReportedToo() throws Exception {
    store.deleteChunk(victim.sha256());
    VerifyReport report = bundles.verify("victim", 1);
    assertThat(report.problems()).extracting(VerifyReport.ChunkProblem::problem)
        .containsExactly("missing from the store");
    assertThat(List.of(report.problems().get(0).offset())).containsExactly(victim.offset());
  }
}
