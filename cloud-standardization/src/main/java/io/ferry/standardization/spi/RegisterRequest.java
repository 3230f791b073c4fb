package io.ferry.standardization.spi;

import java.util.Map;

/**
 * Asks a plugin to register a bootable image.
 *
 * @param name the image's name
 * @param description a description, may be null
 * @param source what holds the disk: the id an upload returned, or a detached volume's id
 * @param bootMode BIOS or UEFI
 * @param architecture the CPU architecture
 * @param enaSupport whether the image's kernel has the ENA driver (AWS)
 * @param osName the operating system, for the catalogue
 * @param cloudLayer the cloud layer the image now carries
 * @param tag the job's tag
 * @param extraTags further tags to set
 */
public record RegisterRequest(
    String name,
    String description,
    String source,
    BootMode bootMode,
    Architecture architecture,
    boolean enaSupport,
    String osName,
    String cloudLayer,
    JobTag tag,
    Map<String, String> extraTags) {

  public RegisterRequest {
    extraTags = Map.copyOf(extraTags == null ? Map.of() : extraTags);
  }
}
