package io.ferry.standardization.spi;

/**
 * What a direct upload writes.
 *
 * @param name the name of the image to be
 * @param virtualSize the size of the disk in bytes
 * @param bootMode the boot mode from the bundle's manifest
 * @param architecture the architecture from the manifest
 */
public record UploadSpec(String name, long virtualSize, BootMode bootMode, Architecture architecture) {}
