package io.ferry.standardization.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.bundle.BundleManifest.ChunkEntry;
import io.ferry.standardization.spi.BootMode;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class BundleManifestsTest {

  private static final String SHA = "ab".repeat(32);

  @Test
  void aManifestSurvivesJsonUnchanged() {
    ObjectNode os = BundleManifests.mapper().createObjectNode().put("id", "debian").put("versionId", "12");
    BundleManifest manifest = sample().withGuestFacts(os, BundleManifests.mapper().createObjectNode());

    BundleManifest read = BundleManifests.fromJson(BundleManifests.toJson(manifest), "sample");

    assertThat(read).isEqualTo(manifest);
    assertThat(read.os().get("id").asText()).isEqualTo("debian");
  }

  @Test
  void missingRequiredFieldsAreNamed() {
    ObjectNode tree = tree(sample());
    tree.remove("disk");
    assertThatThrownBy(() -> BundleManifests.fromJson(bytes(tree), "broken"))
        .isInstanceOfSatisfying(FerryException.class, failure -> {
          assertThat(failure.code()).isEqualTo(ErrorCode.IMAGE_CORRUPT);
          assertThat(failure.getMessage()).contains("manifest broken").contains("'disk'");
        });
  }

  @Test
  void newerFormatVersionsAreRefusedAsUnsupported() {
    ObjectNode tree = tree(sample());
    tree.put("formatVersion", BundleManifest.FORMAT_VERSION + 1);
    assertThatThrownBy(() -> BundleManifests.fromJson(bytes(tree), "future"))
        .isInstanceOfSatisfying(FerryException.class,
            failure -> assertThat(failure.code()).isEqualTo(ErrorCode.UNSUPPORTED));
  }

  @Test
  void aVersionOneManifestWithoutADigestAlgorithmReadsAsPlainSha256() {
    ObjectNode tree = tree(sample());
    ((ObjectNode) tree.get("disk")).remove("digestAlgorithm");
    BundleManifest read = BundleManifests.fromJson(bytes(tree), "old");
    assertThat(read.formatVersion()).isEqualTo(1);
    assertThat(read.disk().digestAlgorithm()).isEqualTo(BundleManifest.Disk.SHA256);
  }

  @Test
  void theDigestAlgorithmMustMatchTheFormatVersion() {
    ObjectNode tree = tree(sample());
    tree.put("formatVersion", 2);
    assertThatThrownBy(() -> BundleManifests.fromJson(bytes(tree), "mixed"))
        .isInstanceOfSatisfying(FerryException.class, failure -> {
          assertThat(failure.code()).isEqualTo(ErrorCode.IMAGE_CORRUPT);
          assertThat(failure.getMessage()).contains("disk.digestAlgorithm").contains("sha256-chunk-list");
        });
    ((ObjectNode) tree.get("disk")).put("digestAlgorithm", BundleManifest.Disk.SHA256_CHUNK_LIST);
    assertThat(BundleManifests.fromJson(bytes(tree), "v2").disk().digestAlgorithm())
        .isEqualTo(BundleManifest.Disk.SHA256_CHUNK_LIST);
  }

  @Test
  void misalignedOrOverlappingChunksAreRefusedWithTheirIndex() {
    ObjectNode tree = tree(sample());
    ((ObjectNode) tree.get("chunks").get(1)).put("offset", 4096 * 3 + 1);
    assertThatThrownBy(() -> BundleManifests.fromJson(bytes(tree), "odd"))
        .isInstanceOfSatisfying(FerryException.class,
            failure -> assertThat(failure.getMessage()).contains("chunks[1]"));
  }

  @Test
  void garbageIsRefusedAsCorrupt() {
    assertThatThrownBy(() -> BundleManifests.fromJson("{\"formatVersion\":".getBytes(StandardCharsets.UTF_8), "cut"))
        .isInstanceOfSatisfying(FerryException.class,
            failure -> assertThat(failure.code()).isEqualTo(ErrorCode.IMAGE_CORRUPT));
  }

  @Test
  void theJsonSchemaDescribesEveryFieldWritten() throws Exception {
    JsonNode schema;
    try (InputStream input = getClass().getResourceAsStream("/bundle/manifest.schema.json")) {
      schema = BundleManifests.mapper().readTree(input);
    }
    List<String> required = new ArrayList<>();
    schema.get("required").forEach(node -> required.add(node.asText()));
    assertThat(required).containsExactlyInAnyOrder("formatVersion", "bundleId", "createdAt", "disk", "chunking", "chunks");
    ObjectNode written = tree(sample());
    for (Iterator<String> names = written.fieldNames(); names.hasNext(); ) {
      assertThat(schema.get("properties").has(names.next())).isTrue();
    }
    written.get("partitionTable").get("partitions").get(0).fieldNames()
        .forEachRemaining(name -> assertThat(schema.at("/$defs/partition/properties").has(name)).as(name).isTrue());
    written.get("chunks").get(0).fieldNames()
        .forEachRemaining(name -> assertThat(schema.at("/properties/chunks/items/properties").has(name)).as(name).isTrue());
  }

  static BundleManifest sample() {
    BundleManifest.FileSystem ext4 = new BundleManifest.FileSystem("ext4", null, "0b0e7d4c-9a5b-4c3e-8f21-5d6a7b8c9d0e", "root");
    BundleManifest.Partition root = new BundleManifest.Partition(1, 1 << 20, 15 << 20, null, false,
        "0FC63DAF-8483-4772-8E79-3D69D8477DE4", "11111111-2222-4333-8444-555555555555", "root", 0,
        "Linux filesystem", ext4);
    BundleManifest.PartitionTable table = new BundleManifest.PartitionTable(BundleManifest.PartitionScheme.GPT,
        "6A1C0D8E-3B4F-4C2A-9E1D-0F2B3C4D5E6F", null, false, List.of(root), null, List.of());
    return new BundleManifest(1, "sample", Instant.parse("2026-01-02T03:04:05Z"),
        new BundleManifest.Source("aws", "ami-123", "7"), new BundleManifest.Disk(16 << 20, 512, SHA),
        new BundleManifest.Chunking(4096, "zstd", 3), table, BootMode.UEFI, null, null,
        List.of(new ChunkEntry(0, 4096, SHA, 100), new ChunkEntry(8192, 4096, "cd".repeat(32), 200)));
  }

  private static ObjectNode tree(BundleManifest manifest) {
    try {
      return (ObjectNode) BundleManifests.mapper().readTree(BundleManifests.toJson(manifest));
    } catch (java.io.IOException impossible) {
      throw new AssertionError(impossible);
    }
  }

  private static byte[] bytes(JsonNode tree) {
    return tree.toString().getBytes(StandardCharsets.UTF_8);
  }
}
