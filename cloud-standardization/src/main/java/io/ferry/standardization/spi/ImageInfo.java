package io.ferry.standardization.spi;

import io.ferry.standardization.image.DiskFormat;
import java.time.Instant;
import java.util.Map;

/**
 * An image as a cloud lists it.
 *
 * @param id the cloud's id of the image (an AMI id, a library item id, a file name)
 * @param name a human name
 * @param version a string that changes whenever the image's content changes (used to reuse
 *     bundles: strip once, deploy to many)
 * @param format the disk format of the image's root disk where the cloud exposes one, else null
 * @param virtualSize the size of the root disk in bytes, or -1 when unknown
 * @param osName the operating system as the cloud describes it, may be null
 * @param architecture the CPU architecture
 * @param bootMode the boot mode
 * @param cloudLayer the id of the cloud layer the image carries, may be null
 * @param tags the image's tags
 * @param createdAt when the image was made, may be null
 */
public record ImageInfo(
    String id,
    String name,
    String version,
    DiskFormat format,
    long virtualSize,
    String osName,
    Architecture architecture,
    BootMode bootMode,
    String cloudLayer,
    Map<String, String> tags,
    Instant createdAt) {

  public ImageInfo {
    tags = Map.copyOf(tags == null ? Map.of() : tags);
  }
}
