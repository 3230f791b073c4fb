package io.ferry.standardization.bundle;

import io.ferry.standardization.testing.MotoServer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.standardization.bundle.BundleManifest.ChunkEntry;
import io.ferry.standardization.bundle.s3.S3ChunkStore;
import io.ferry.standardization.bundle.s3.S3StoreConfig;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImages;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** The S3 store against a real S3 API (moto server on loopback). */
class S3ChunkStoreIT {

  private static final int CHUNK = 128 << 10;

  @TempDir static Path serverFolder;
  private static MotoServer moto;
  private static S3Client client;
  private static final AtomicInteger BUCKETS = new AtomicInteger();

  @TempDir Path folder;
  private S3ChunkStore store;
  private final TestClock clock = new TestClock(Instant.now());

  @BeforeAll
  static void startMoto() throws Exception {
    Optional<Path> executable = MotoServer.executable();
    assumeTrue(executable.isPresent(),
        "moto_server is not installed: run scripts/test.sh (moto[server] in scripts/test-requirements.txt)");
    moto = MotoServer.start(serverFolder, java.util.Map.of());
    client = S3ChunkStore.buildClient(config("unused"));
  }

  @AfterAll
  static void stopMoto() throws Exception {
    if (client != null) {
      client.close();
    }
    if (moto != null) {
      moto.close();
    }
  }

  @BeforeEach
  void createBucket() {
    String bucket = "ferry-bundles-" + BUCKETS.incrementAndGet();
    client.createBucket(request -> request.bucket(bucket));
    store = new S3ChunkStore(client, config(bucket));
  }

  @Test
  void bundleRestoreVerifyAndGarbageCollectionOnS3() throws Exception {
    Path image = folder.resolve("disk.raw");
    byte[] content = TestData.disk(3 << 20, 96 << 10, 12);
    Files.write(image, content);
    Bundles bundles = new Bundles(store, clock);
    BundleManifest manifest = bundle(bundles, "on-s3", image);
    assertThat(store.listManifests()).containsExactly("on-s3");
    assertThat(store.listJournals()).isEmpty();

    Path restored = folder.resolve("restored.raw");
    bundles.restoreToFile("on-s3", restored, RestoreOptions.defaults());
    assertThat(Files.readAllBytes(restored)).isEqualTo(content);
    assertThat(bundles.verify("on-s3", 2).intact()).isTrue();

    ChunkEntry first = manifest.chunks().get(0);
    StoredObject before = store.statChunk(first.sha256()).orElseThrow();
    assertThat(before.size()).isEqualTo(first.compressedSize());
    assertThat(store.touchChunk(first.sha256())).isPresent();

    Path second = folder.resolve("second.raw");
    Files.write(second, TestData.disk(1 << 20, 96 << 10, 13));
    BundleManifest dropped = bundle(bundles, "dropped", second);
    bundles.delete("dropped");
    assertThat(bundles.collectGarbage(Duration.ofHours(1)).chunksDeleted()).isZero();

    clock.advance(Duration.ofHours(2)); // the server's clock stays behind: everything is old now
    GarbageCollection collected = bundles.collectGarbage(Duration.ofHours(1));
    long onlyDropped = dropped.chunks().stream().map(ChunkEntry::sha256)
        .filter(id -> manifest.chunks().stream().noneMatch(chunk -> chunk.sha256().equals(id)))
        .distinct().count();
    assertThat(collected.chunksDeleted()).isEqualTo(onlyDropped);
    assertThat(bundles.verify("on-s3", 2).intact()).isTrue();
  }

  @Test
  void journalsLiveInTheBucket() throws Exception {
    store.putJournalSegment("half-done", 2, "{\"b\":2}".getBytes());
    store.putJournalSegment("half-done", 1, "{\"a\":1}".getBytes());
    assertThat(store.listJournals()).containsExactly("half-done");
    assertThat(store.readJournal("half-done")).extracting(String::new).containsExactly("{\"a\":1}", "{\"b\":2}");
    store.deleteJournal("half-done");
    assertThat(store.listJournals()).isEmpty();
    assertThat(store.statChunk("0".repeat(64))).isEmpty();
    assertThat(store.deleteChunk("0".repeat(64))).isFalse();
  }

  @Test
  void exportFromALocalStoreAndImportIntoS3() throws Exception {
    Path image = folder.resolve("disk.raw");
    byte[] content = TestData.disk(2 << 20, 64 << 10, 14);
    Files.write(image, content);
    Bundles local = new Bundles(new LocalChunkStore(folder.resolve("local")), clock);
    BundleManifest original = bundle(local, "travelling", image);
    Path archive = folder.resolve("travelling.tar");
    try (OutputStream output = Files.newOutputStream(archive)) {
      local.exportBundle("travelling", output);
    }

    Bundles remote = new Bundles(store, clock);
    try (InputStream input = Files.newInputStream(archive)) {
      assertThat(remote.importBundle(input)).isEqualTo(original);
    }
    Path restored = folder.resolve("restored.raw");
    remote.restoreToFile("travelling", restored, RestoreOptions.defaults());
    assertThat(Files.readAllBytes(restored)).isEqualTo(content);

    // and back: S3 to a fresh local store
    ByteArrayOutputStream back = new ByteArrayOutputStream();
    remote.exportBundle("travelling", back);
    Bundles other = new Bundles(new LocalChunkStore(folder.resolve("other")), clock);
    other.importBundle(new java.io.ByteArrayInputStream(back.toByteArray()));
    assertThat(other.verify("travelling", 2).intact()).isTrue();
  }

  private static BundleManifest bundle(Bundles bundles, String id, Path image) throws IOException {
    try (DiskImageReader reader = DiskImages.open(image, DiskFormat.RAW)) {
      return bundles.bundle(id, reader, BundleManifest.Source.UNKNOWN,
          BundleOptions.defaults().withChunkSize(CHUNK).withJournalEveryChunks(4)).manifest();
    }
  }

  private static S3StoreConfig config(String bucket) {
    return new S3StoreConfig(bucket, "bundles/", moto.endpoint(), "us-east-1", true, "testing", "testing");
  }
}
