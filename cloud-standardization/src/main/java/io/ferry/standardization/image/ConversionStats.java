package io.ferry.standardization.image;

import java.time.Duration;

/**
 * What a conversion did.
 *
 * @param bytesRead bytes read from the source's DATA extents
 * @param bytesWritten bytes handed to the writer (zero blocks and holes are never handed over)
 * @param zeroBytesSkipped bytes read that were all zeros and therefore not written
 * @param duration wall time of the whole conversion, including {@link DiskImageWriter#finish()}
 */
public record ConversionStats(
    long bytesRead, long bytesWritten, long zeroBytesSkipped, Duration duration) {}
