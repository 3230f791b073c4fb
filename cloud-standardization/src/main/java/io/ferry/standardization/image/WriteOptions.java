package io.ferry.standardization.image;

/**
 * How a {@link DiskImageWriter} writes. Formats ignore what does not apply to them.
 *
 * @param threads threads a writer may use for compression (at least 1)
 * @param compressed whether to compress data where the format makes it optional (qcow2); formats
 *     that always compress (VMDK streamOptimized) compress regardless
 * @param compressionLevel the codec's level, or {@link #DEFAULT_LEVEL} for the format's default
 * @param clusterSize cluster or grain size in bytes (a power of two), or 0 for the format's
 *     default (qcow2 64 KiB, VMDK 64 KiB)
 * @param durable whether {@link DiskImageWriter#finish()} forces the output to disk before it
 *     renames it into place (slower; off by default, like {@code qemu-img convert})
 */
public record WriteOptions(
    int threads, boolean compressed, int compressionLevel, int clusterSize, boolean durable) {

  /** Use the format's default compression level. */
  public static final int DEFAULT_LEVEL = -1;

  /** Two threads, no optional compression, default level and cluster size. */
  public static final WriteOptions DEFAULTS = new WriteOptions(2, false, DEFAULT_LEVEL, 0, false);

  /** Options that are not durable. */
  public WriteOptions(int threads, boolean compressed, int compressionLevel, int clusterSize) {
    this(threads, compressed, compressionLevel, clusterSize, false);
  }

  public WriteOptions {
    if (threads < 1 || threads > 256) {
      throw new IllegalArgumentException("threads must be within 1..256: " + threads);
    }
    if (compressionLevel < DEFAULT_LEVEL || compressionLevel > 22) {
      throw new IllegalArgumentException("compression level must be within -1..22");
    }
    if (clusterSize != 0 && (clusterSize < 512 || Integer.bitCount(clusterSize) != 1)) {
      throw new IllegalArgumentException("cluster size must be 0 or a power of two >= 512");
    }
  }

  /** These options with {@code threads}. */
  public WriteOptions withThreads(int threads) {
    return new WriteOptions(threads, compressed, compressionLevel, clusterSize, durable);
  }

  /** These options with optional compression switched on or off. */
  public WriteOptions withCompressed(boolean compressed) {
    return new WriteOptions(threads, compressed, compressionLevel, clusterSize, durable);
  }

  /** These options with {@code compressionLevel}. */
  public WriteOptions withCompressionLevel(int compressionLevel) {
    return new WriteOptions(threads, compressed, compressionLevel, clusterSize, durable);
  }

  /** These options with {@code clusterSize} (0 for the format's default). */
  public WriteOptions withClusterSize(int clusterSize) {
    return new WriteOptions(threads, compressed, compressionLevel, clusterSize, durable);
  }

  /** These options with durability switched on or off. */
  public WriteOptions withDurable(boolean durable) {
    return new WriteOptions(threads, compressed, compressionLevel, clusterSize, durable);
  }

  /** The cluster size to use: {@link #clusterSize()} or {@code formatDefault} when it is 0. */
  public int clusterSizeOr(int formatDefault) {
    return clusterSize == 0 ? formatDefault : clusterSize;
  }
}
