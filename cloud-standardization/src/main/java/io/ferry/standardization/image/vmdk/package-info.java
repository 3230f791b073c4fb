/**
 * VMDK images: monolithicSparse, streamOptimized and descriptor files with flat extents read;
 * streamOptimized written. {@link io.ferry.standardization.image.vmdk.VmdkImages} and the format
 * handlers are the entry points; every other class of this package is an implementation detail.
 */
package io.ferry.standardization.image.vmdk;
