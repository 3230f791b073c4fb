package io.ferry.plugin.local.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.ConfigProperty;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The typed settings of one local cloud account. Parsing is strict: unknown keys, secrets (the
 * local cloud has none) and malformed values are refused with INVALID_REQUEST.
 *
 * @param directory the account's directory
 * @param format the disk format registered images are written in
 * @param layer the cloud layer the account's images carry (such as {@code aws}), or null
 * @param maxVolumeBytes the largest volume the account creates, or {@link Long#MAX_VALUE}
 * @param agentJar the guest agent's jar that helpers run, or null to use the system property
 *     {@value #AGENT_JAR_PROPERTY}
 * @param bootAccelerator how the boot check runs QEMU: {@code auto} (KVM when /dev/kvm can be
 *     opened for reading and writing, else TCG software emulation), {@code kvm} or {@code tcg}
 */
public record LocalSettings(
    Path directory, DiskFormat format, String layer, long maxVolumeBytes, Path agentJar, String bootAccelerator) {

  /** Settings with the default boot accelerator ({@code auto}). */
  public LocalSettings(Path directory, DiskFormat format, String layer, long maxVolumeBytes, Path agentJar) {
    this(directory, format, layer, maxVolumeBytes, agentJar, DEFAULT_BOOT_ACCELERATOR);
  }

  public static final String DIRECTORY = "directory";
  public static final String FORMAT = "format";
  public static final String LAYER = "layer";
  public static final String MAX_VOLUME_BYTES = "maxVolumeBytes";
  public static final String AGENT_JAR = "agentJar";
  public static final String BOOT_ACCELERATOR = "bootAccelerator";

  /** The default of {@link #BOOT_ACCELERATOR}. */
  public static final String DEFAULT_BOOT_ACCELERATOR = "auto";

  private static final Set<String> ACCELERATORS = Set.of("auto", "kvm", "tcg");

  /** The system property naming the agent jar when the account does not. */
  public static final String AGENT_JAR_PROPERTY = "ferry.agent.jar";

  /** The default disk format of registered images. */
  public static final DiskFormat DEFAULT_FORMAT = DiskFormat.QCOW2;

  private static final Pattern LAYER_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  /** Every setting the local cloud accepts. */
  public static final List<ConfigProperty> PROPERTIES =
      List.of(
          new ConfigProperty(
              DIRECTORY,
              "Absolute path of the account's directory; images/, volumes/, uploads/ and helpers/"
                  + " are created inside it",
              true,
              false,
              null),
          new ConfigProperty(
              FORMAT,
              "Disk format registered images are written in: raw, qcow2, vmdk-streamOptimized,"
                  + " vhd-fixed, vhd-dynamic, ova or gcp-tar",
              false,
              false,
              DEFAULT_FORMAT.id()),
          new ConfigProperty(
              LAYER,
              "Cloud layer the account's images carry (aws, azure, gcp, vsphere, kvm, ...)",
              false,
              false,
              null),
          new ConfigProperty(
              MAX_VOLUME_BYTES, "Largest volume the account creates, in bytes", false, false, null),
          new ConfigProperty(
              AGENT_JAR,
              "Guest agent jar that helpers run with java -jar; defaults to the system property "
                  + AGENT_JAR_PROPERTY,
              false,
              false,
              null),
          new ConfigProperty(
              BOOT_ACCELERATOR,
              "How the boot check runs QEMU: auto (KVM when /dev/kvm is usable, else TCG), kvm or tcg"
                  + " (software emulation: slower, but works where nested KVM does not)",
              false,
              false,
              DEFAULT_BOOT_ACCELERATOR));

  private static final Set<String> KEYS =
      Set.of(DIRECTORY, FORMAT, LAYER, MAX_VOLUME_BYTES, AGENT_JAR, BOOT_ACCELERATOR);

  /** Parses and checks an account's configuration. Does not touch the file system. */
  public static LocalSettings parse(CloudAccountConfig config) {
    Map<String, String> settings = config.settings();
    Set<String> unknown = new TreeSet<>(settings.keySet());
    unknown.removeAll(KEYS);
    if (!unknown.isEmpty()) {
      throw invalid("unknown settings " + unknown + "; the local cloud accepts " + new TreeSet<>(KEYS));
    }
    if (!config.secrets().isEmpty()) {
      throw invalid(
          "the local cloud takes no secrets, got keys " + new TreeSet<>(config.secrets().keySet()));
    }
    Path directory = absolutePath(DIRECTORY, settings.get(DIRECTORY));
    if (directory == null) {
      throw invalid("setting '" + DIRECTORY + "' is required");
    }
    DiskFormat format = parseFormat(settings.get(FORMAT));
    String layer = blankToNull(settings.get(LAYER));
    if (layer != null && !LAYER_ID.matcher(layer).matches()) {
      throw invalid("setting '" + LAYER + "' must be a layer id such as aws or vsphere: " + layer);
    }
    long maxVolumeBytes = parseMaxVolumeBytes(settings.get(MAX_VOLUME_BYTES));
    Path agentJar = absolutePath(AGENT_JAR, settings.get(AGENT_JAR));
    String accelerator = blankToNull(settings.get(BOOT_ACCELERATOR));
    if (accelerator == null) {
      accelerator = DEFAULT_BOOT_ACCELERATOR;
    }
    if (!ACCELERATORS.contains(accelerator)) {
      throw invalid("setting '" + BOOT_ACCELERATOR + "' must be auto, kvm or tcg: " + accelerator);
    }
    return new LocalSettings(directory, format, layer, maxVolumeBytes, agentJar, accelerator);
  }

  private static DiskFormat parseFormat(String value) {
    if (blankToNull(value) == null) {
      return DEFAULT_FORMAT;
    }
    DiskFormat format;
    try {
      format = DiskFormat.fromId(value.trim());
    } catch (IllegalArgumentException e) {
      throw invalid("setting '" + FORMAT + "' is not a disk format: " + value);
    }
    if (!format.writable()) {
      throw invalid("setting '" + FORMAT + "': Ferry cannot write " + format.id() + " images");
    }
    return format;
  }

  private static long parseMaxVolumeBytes(String value) {
    if (blankToNull(value) == null) {
      return Long.MAX_VALUE;
    }
    try {
      long bytes = Long.parseLong(value.trim());
      if (bytes <= 0) {
        throw invalid("setting '" + MAX_VOLUME_BYTES + "' must be positive: " + value);
      }
      return bytes;
    } catch (NumberFormatException e) {
      throw invalid("setting '" + MAX_VOLUME_BYTES + "' is not a number of bytes: " + value);
    }
  }

  private static Path absolutePath(String key, String value) {
    if (blankToNull(value) == null) {
      return null;
    }
    Path path;
    try {
      path = Path.of(value.trim());
    } catch (InvalidPathException e) {
      throw invalid("setting '" + key + "' is not a path: " + e.getMessage());
    }
    if (!path.isAbsolute()) {
      throw invalid("setting '" + key + "' must be an absolute path: " + value);
    }
    return path.normalize();
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }

  private static FerryException invalid(String message) {
    return new FerryException(ErrorCode.INVALID_REQUEST, "local cloud: " + message);
  }
}
