package io.ferry.agent.offline.internal;

import io.ferry.agent.offline.Partition;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds, from a root's {@code /etc/fstab}, the partitions of the same disk that hold {@code /boot}
 * and {@code /boot/efi}: {@code UUID=}, {@code LABEL=}, {@code PARTUUID=}, {@code PARTLABEL=} and
 * their {@code /dev/disk/by-*} forms. Device names such as {@code /dev/vda2} are not trusted (they
 * may name another disk).
 */
public final class BootPartitions {

  /** The mount points taken from fstab, parents first. */
  public static final List<String> MOUNT_POINTS = List.of("/boot", "/boot/efi");

  /** File systems mounted for the boot mount points. */
  public static final List<String> FILE_SYSTEMS = List.of("vfat", "ext4", "xfs");

  /**
   * One fstab entry for a boot mount point.
   *
   * @param mountPoint {@code /boot} or {@code /boot/efi}
   * @param spec the fstab source as written
   * @param partition the matching partition of this disk, if any
   */
  public record Entry(String mountPoint, String spec, Optional<Partition> partition) {}

  private BootPartitions() {}

  /** The boot entries of {@code fstab} in {@link #MOUNT_POINTS} order, matched against {@code partitions}. */
  public static List<Entry> find(String fstab, List<Partition> partitions) {
    List<Entry> entries = new ArrayList<>();
    for (String mountPoint : MOUNT_POINTS) {
      for (String line : fstab.lines().toList()) {
        String trimmed = line.trim();
        if (trimmed.isEmpty() || trimmed.startsWith("#")) {
          continue;
        }
        String[] fields = trimmed.split("\\s+");
        if (fields.length < 2 || !normalize(unescape(fields[1])).equals(mountPoint)) {
          continue;
        }
        String spec = fields[0];
        entries.add(new Entry(mountPoint, spec, match(spec, partitions)));
        break;
      }
    }
    return entries;
  }

  /** The partition a fstab source names, if it is one of {@code partitions}. */
  static Optional<Partition> match(String spec, List<Partition> partitions) {
    String source = unquote(unescape(spec));
    String[][] forms = {
      {"UUID=", "uuid"}, {"LABEL=", "label"}, {"PARTUUID=", "partuuid"}, {"PARTLABEL=", "partlabel"},
      {"/dev/disk/by-uuid/", "uuid"}, {"/dev/disk/by-label/", "label"},
      {"/dev/disk/by-partuuid/", "partuuid"}, {"/dev/disk/by-partlabel/", "partlabel"}
    };
    for (String[] form : forms) {
      if (!source.startsWith(form[0])) {
        continue;
      }
      String value = unquote(source.substring(form[0].length()));
      if (form[0].startsWith("/dev/")) {
        value = udevUnescape(value);
      }
      String wanted = value;
      return partitions.stream().filter(p -> matches(p, form[1], wanted)).findFirst();
    }
    return Optional.empty();
  }

  private static boolean matches(Partition partition, String kind, String value) {
    return switch (kind) {
      case "uuid" -> partition.uuid() != null && partition.uuid().equalsIgnoreCase(value);
      case "label" -> value.equals(partition.label());
      case "partuuid" -> partition.partitionUuid() != null && partition.partitionUuid().equalsIgnoreCase(value);
      case "partlabel" -> value.equals(partition.partitionLabel());
      default -> false;
    };
  }

  /** fstab's octal escapes ({@code \040} for a space). */
  static String unescape(String field) {
    StringBuilder result = new StringBuilder();
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
        result.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        result.append(c);
      }
    }
    return result.toString();
  }

  /** udev's {@code \x20} escapes in /dev/disk/by-label names. */
  private static String udevUnescape(String name) {
    StringBuilder result = new StringBuilder();
    for (int i = 0; i < name.length(); i++) {
      if (name.startsWith("\\x", i) && i + 4 <= name.length() && name.substring(i + 2, i + 4).matches("[0-9a-fA-F]{2}")) {
        result.append((char) Integer.parseInt(name.substring(i + 2, i + 4), 16));
        i += 3;
      } else {
        result.append(name.charAt(i));
      }
    }
    return result.toString();
  }

  private static String unquote(String value) {
    if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"") || value.startsWith("'") && value.endsWith("'"))) {
      return value.substring(1, value.length() - 1);
    }
    return value;
  }

  private static String normalize(String path) {
    String normalized = path.replaceAll("/+", "/");
    return normalized.length() > 1 && normalized.endsWith("/") ? normalized.substring(0, normalized.length() - 1) : normalized;
  }

  /** The lower-case file system name mount(8) takes for a partition's detected file system. */
  public static String mountType(Partition partition) {
    return partition.fileSystem().toLowerCase(Locale.ROOT);
  }
}
