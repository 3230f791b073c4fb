/**
 * Internal helpers of the disk image formats: the conversion engine, partial output files, zero
 * detection, bounds-checked positional reads of image files, sliced file writes. Not part of Ferry's
 * API; only code in {@code io.ferry.standardization.image} and its format packages may use it
 * (and the bundle package, for {@link io.ferry.standardization.image.internal.FileWrites}).
 */
package io.ferry.standardization.image.internal;
