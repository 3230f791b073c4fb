package io.ferry.standardization.bundle;

import java.time.Duration;

/**
 * What one restore did.
 *
 * @param bundleId the bundle restored
 * @param bytesWritten chunk bytes written in this run (zero chunks are holes, never written,
 *     except on block devices that do not read back zeros)
 * @param chunksWritten chunks written in this run
 * @param resumedFrom the disk offset this run started at (0 unless an earlier run was resumed)
 * @param duration wall time of this run
 */
public record RestoreResult(
    String bundleId, long bytesWritten, long chunksWritten, long resumedFrom, Duration duration) {}
