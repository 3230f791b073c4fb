/** Raw disk images: the disk's bytes as a file, written sparse. */
package io.ferry.standardization.image.raw;
