package io.ferry.plugin.tck;

import io.ferry.standardization.spi.Architecture;
import io.ferry.standardization.spi.BootMode;
import java.nio.file.Path;

/**
 * A source image the contract asks a plugin's test to put into the account, with the facts the
 * plugin must then list.
 *
 * @param name the image's name
 * @param rawDisk a raw disk file: the image's root disk, byte for byte
 * @param bootMode the boot mode to register
 * @param architecture the architecture to register
 * @param osName the operating system to register
 */
public record SeedImage(
    String name, Path rawDisk, BootMode bootMode, Architecture architecture, String osName) {}
