/**
 * The cloud-agnostic image ("bundle"): a disk cut into fixed-size, disk-offset-aligned chunks,
 * each zstd-compressed and named by the SHA-256 of its uncompressed content, plus a versioned
 * JSON manifest (disk geometry, partitions, file systems, boot mode, the guest agent's OS facts
 * and captured cloud layer, the chunk list and a whole-disk digest).
 *
 * <p>{@link io.ferry.standardization.bundle.Bundles} is the entry point: bundle, restore, verify,
 * diff, export and import, garbage collection. Chunks and manifests live in a {@link
 * io.ferry.standardization.bundle.ChunkStore}: {@link
 * io.ferry.standardization.bundle.LocalChunkStore} (a directory, the default) or {@link
 * io.ferry.standardization.bundle.s3.S3ChunkStore} (S3-compatible object storage).
 */
package io.ferry.standardization.bundle;
