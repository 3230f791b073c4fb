package io.ferry.standardization.bundle;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.bundle.BundleManifest.ChunkEntry;
import io.ferry.standardization.bundle.internal.Names;
import java.io.IOException;

/**
 * Reads and writes {@link BundleManifest} JSON. Reading validates the format version, the
 * required fields and the chunk list's invariants before anything trusts the manifest.
 */
public final class BundleManifests {

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .build();

  private static final String[] REQUIRED = {
    "formatVersion", "bundleId", "createdAt", "disk", "chunking", "chunks"
  };

  private BundleManifests() {}

  /** The shared JSON mapper configured for manifests and journals. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** The manifest as UTF-8 JSON. */
  public static byte[] toJson(BundleManifest manifest) {
    try {
      return MAPPER.writeValueAsBytes(manifest);
    } catch (JsonProcessingException bug) {
      throw new FerryException(ErrorCode.INTERNAL, "cannot write manifest", bug);
    }
  }

  /**
   * Parses and validates a manifest.
   *
   * @param source names the manifest in error messages (bundle id, file)
   * @throws FerryException IMAGE_CORRUPT when the JSON is malformed or breaks an invariant,
   *     UNSUPPORTED when its format version is newer than this code
   */
  public static BundleManifest fromJson(byte[] json, String source) {
    JsonNode tree;
    try {
      tree = MAPPER.readTree(json);
    } catch (IOException malformed) {
      throw corrupt(source, "not valid JSON: " + malformed.getMessage());
    }
    if (tree == null || !tree.isObject()) {
      throw corrupt(source, "not a JSON object");
    }
    for (String field : REQUIRED) {
      if (!tree.hasNonNull(field)) {
        throw corrupt(source, "required field '" + field + "' is missing");
      }
    }
    JsonNode version = tree.get("formatVersion");
    if (!version.isInt() || version.intValue() < 1) {
      throw corrupt(source, "formatVersion must be a positive integer, found " + version);
    }
    if (version.intValue() > BundleManifest.FORMAT_VERSION) {
      throw new FerryException(
          ErrorCode.UNSUPPORTED,
          "manifest "
              + source
              + " has format version "
              + version.intValue()
              + "; this Ferry reads up to "
              + BundleManifest.FORMAT_VERSION);
    }
    BundleManifest manifest;
    try {
      manifest = MAPPER.treeToValue(tree, BundleManifest.class);
    } catch (IOException | IllegalArgumentException | NullPointerException wrong) {
      throw corrupt(source, "fields do not match the schema: " + wrong.getMessage());
    }
    validate(manifest, source);
    return manifest;
  }

  /** Checks the invariants of a manifest (also of one built in memory). */
  public static void validate(BundleManifest manifest, String source) {
    if (!Names.isBundleId(manifest.bundleId())) {
      throw corrupt(source, "bundleId is not a valid bundle id: " + manifest.bundleId());
    }
    long virtualSize = manifest.disk().virtualSize();
    if (virtualSize < 0) {
      throw corrupt(source, "disk.virtualSize is negative: " + virtualSize);
    }
    String digest = manifest.disk().sha256();
    if (digest == null || !Names.isChunkId(digest)) {
      throw corrupt(source, "disk.sha256 is not 64 lower-case hex digits: " + digest);
    }
    String algorithm = manifest.disk().digestAlgorithm();
    String expectedAlgorithm =
        manifest.formatVersion() >= 2 ? BundleManifest.Disk.SHA256_CHUNK_LIST : BundleManifest.Disk.SHA256;
    if (!expectedAlgorithm.equals(algorithm)) {
      throw corrupt(source, "disk.digestAlgorithm of format version " + manifest.formatVersion() + " must be "
          + expectedAlgorithm + ", found " + algorithm);
    }
    int chunkSize = manifest.chunking().chunkSize();
    if (chunkSize < 4096 || Integer.bitCount(chunkSize) != 1) {
      throw corrupt(source, "chunking.chunkSize must be a power of two >= 4096: " + chunkSize);
    }
    if (!"zstd".equals(manifest.chunking().compression())) {
      throw corrupt(source, "chunking.compression must be zstd: " + manifest.chunking().compression());
    }
    long previousEnd = 0;
    for (int index = 0; index < manifest.chunks().size(); index++) {
      ChunkEntry chunk = manifest.chunks().get(index);
      String where = "chunks[" + index + "] (disk offset " + chunk.offset() + ")";
      if (chunk.offset() < previousEnd || chunk.offset() % chunkSize != 0) {
        throw corrupt(source, where + " is not chunk-aligned and ascending");
      }
      long expectedLength = Math.min(chunkSize, virtualSize - chunk.offset());
      if (chunk.offset() >= virtualSize || chunk.length() != expectedLength) {
        throw corrupt(source, where + " has length " + chunk.length() + ", expected " + expectedLength);
      }
      if (!Names.isChunkId(chunk.sha256())) {
        throw corrupt(source, where + " has a malformed sha256: " + chunk.sha256());
      }
      if (chunk.compressedSize() <= 0) {
        throw corrupt(source, where + " has a non-positive compressedSize");
      }
      previousEnd = chunk.end();
    }
  }

  private static FerryException corrupt(String source, String problem) {
    return new FerryException(ErrorCode.IMAGE_CORRUPT, "manifest " + source + ": " + problem);
  }
}
