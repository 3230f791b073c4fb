/**
 * Google Compute Engine's image archive ({@code disk.raw} in a gzip'd tar), read and written.
 * {@link io.ferry.standardization.image.gcp.GcpArchiveFormatHandler} is the entry point; every
 * other class of this package is an implementation detail.
 */
package io.ferry.standardization.image.gcp;
