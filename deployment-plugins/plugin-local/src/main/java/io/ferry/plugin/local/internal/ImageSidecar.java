package io.ferry.plugin.local.internal;

import io.ferry.standardization.spi.Architecture;
import io.ferry.standardization.spi.BootMode;
import java.time.Instant;
import java.util.Map;

/**
 * The metadata the local cloud keeps next to an image file, as {@code <file>.ferry.json}. Every
 * field may be missing in a hand-written sidecar; what is missing is described from the file.
 *
 * @param name the image's name
 * @param description a description, may be null
 * @param osName the operating system, may be null
 * @param architecture the CPU architecture, may be null
 * @param bootMode the boot mode, may be null
 * @param cloudLayer the cloud layer the image carries, may be null (the account's layer then)
 * @param tags the image's tags; {@code ferry:job-id} names the job that registered it
 * @param createdAt when the image was registered, may be null (the file's time then)
 * @param source the upload or volume the image was registered from, may be null
 */
public record ImageSidecar(
    String name,
    String description,
    String osName,
    Architecture architecture,
    BootMode bootMode,
    String cloudLayer,
    Map<String, String> tags,
    Instant createdAt,
    String source) {

  public ImageSidecar {
    tags = Map.copyOf(tags == null ? Map.of() : tags);
  }
}
