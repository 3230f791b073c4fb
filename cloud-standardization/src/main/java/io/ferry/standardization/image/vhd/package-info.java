/**
 * VHD images (fixed and dynamic). {@link io.ferry.standardization.image.vhd.VhdImages} is the
 * entry point; every other class of this package is an implementation detail.
 */
package io.ferry.standardization.image.vhd;
