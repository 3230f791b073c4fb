/**
 * VHDX images (fixed and dynamic), read only. {@link
 * io.ferry.standardization.image.vhdx.VhdxFormatHandler} is the entry point; every other class of
 * this package is an implementation detail.
 */
package io.ferry.standardization.image.vhdx;
