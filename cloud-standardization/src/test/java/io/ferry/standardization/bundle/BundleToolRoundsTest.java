package io.ferry.standardization.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code BundleTool bundle --rounds N}: every round a whole bundle into a store of its own. */
class BundleToolRoundsTest {

  @TempDir Path folder;

  @Test
  void everyRoundBundlesAnewAndOnlyTheLastStoreIsKept() throws Exception {
    Path image = folder.resolve("disk.raw");
    Files.write(image, TestData.disk(1 << 20, 64 * 1024, 7));
    Path stores = folder.resolve("stores");

    int status = BundleTool.run(new String[] {
      "bundle", "--store", stores.toString(), "--rounds", "3", "--chunk-size", "65536", image.toString(), "b"
    });

    assertThat(status).isZero();
    assertThat(stores.resolve("round-1")).doesNotExist();
    assertThat(stores.resolve("round-2")).doesNotExist();
    try (LocalChunkStore last = new LocalChunkStore(stores.resolve("round-3"))) {
      Bundles bundles = new Bundles(last, Clock.systemUTC());
      BundleManifest manifest = bundles.manifest("b");
      assertThat(manifest.disk().virtualSize()).isEqualTo(1 << 20);
      assertThat(manifest.chunks()).isNotEmpty();
      assertThat(bundles.verify("b", 2).intact()).isTrue();
    }
  }

  @Test
  void refusesAStoreFolderARoundWouldShare() throws Exception {
    Path image = folder.resolve("disk.raw");
    Files.write(image, TestData.disk(256 * 1024, 64 * 1024, 8));
    Path stores = folder.resolve("stores");
    Files.createDirectories(stores.resolve("round-1"));

    int status = BundleTool.run(new String[] {
      "bundle", "--store", stores.toString(), "--rounds", "2", image.toString(), "b"
    });

    assertThat(status).isEqualTo(2);
    assertThat(stores.resolve("round-2")).doesNotExist();
  }

  @Test
  void badRoundsOrMissingArgumentsAreUsageErrorsThatCreateNothing() throws Exception {
    Path image = folder.resolve("disk.raw");
    Files.write(image, TestData.disk(256 * 1024, 64 * 1024, 9));
    Path stores = folder.resolve("stores");

    assertThat(BundleTool.run(new String[] {"bundle", "--store", stores.toString(), "--rounds", "three",
      image.toString(), "b"})).isEqualTo(2);
    assertThat(BundleTool.run(new String[] {"bundle", "--store", stores.toString(), "--rounds", "0",
      image.toString(), "b"})).isEqualTo(2);
    assertThat(BundleTool.run(new String[] {"bundle", "--store", stores.toString(), "--rounds", "2",
      image.toString()})).isEqualTo(2);
    assertThat(stores).doesNotExist();
  }
}
