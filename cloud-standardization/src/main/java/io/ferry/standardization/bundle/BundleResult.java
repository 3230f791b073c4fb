package io.ferry.standardization.bundle;

import java.time.Duration;

/**
 * What one run of {@link Bundles#bundle} did.
 *
 * @param manifest the finished bundle's manifest
 * @param bytesRead disk bytes read in this run (zero and unallocated ranges are never read)
 * @param chunksWritten chunks this run stored because the store lacked them
 * @param newChunkBytes uncompressed bytes of those new chunks
 * @param newStoredBytes compressed bytes of those new chunks
 * @param chunksReused non-zero chunks the store already held (deduplicated)
 * @param chunksResumed non-zero chunks taken over from an interrupted run's journal
 * @param duration wall time of this run
 */
public record BundleResult(
    BundleManifest manifest,
    long bytesRead,
    long chunksWritten,
    long newChunkBytes,
    long newStoredBytes,
    long chunksReused,
    long chunksResumed,
    Duration duration) {}
