/** QEMU copy-on-write v2 images: qcow2 versions 2 and 3 read, version 3 written. */
package io.ferry.standardization.image.qcow2;
