package io.ferry.standardization.bundle;

import java.util.List;

/**
 * The chunks that differ between two bundles of the same chunk size.
 *
 * @param baseBundleId the older bundle
 * @param otherBundleId the newer bundle
 * @param changes every chunk-aligned range whose content differs, ascending
 * @param newChunkIds chunks the other bundle uses that the base bundle does not
 * @param newChunkBytes uncompressed bytes of the other bundle's chunk uses not found in the base
 * @param newStoredBytes compressed bytes of {@link #newChunkIds}
 */
public record BundleDiff(
    String baseBundleId,
    String otherBundleId,
    List<Change> changes,
    List<String> newChunkIds,
    long newChunkBytes,
    long newStoredBytes) {

  public BundleDiff {
    changes = List.copyOf(changes);
    newChunkIds = List.copyOf(newChunkIds);
  }

  /**
   * One changed chunk-aligned range. A null id means zeros (a chunk that is not stored).
   *
   * @param offset its disk offset
   * @param length its length
   * @param baseChunkId the base bundle's chunk there, or null for zeros or beyond its end
   * @param otherChunkId the other bundle's chunk there, or null for zeros or beyond its end
   */
  public record Change(long offset, long length, String baseChunkId, String otherChunkId) {}
}
