/**
 * Internal to cloud-standardization: the bundle pipeline, partition and file-system parsing,
 * journals and codecs behind {@link io.ferry.standardization.bundle.Bundles}. Not an API; other
 * modules must not use these classes.
 */
package io.ferry.standardization.bundle.internal;
