package io.ferry.agent.layer;

import java.util.List;
import java.util.Map;

/**
 * How a strip, inject or undo runs.
 *
 * @param dryRun record the plan without changing anything
 * @param live the root is the running system's {@code /} (blkid and /sys may be read)
 * @param deviceUuids file system UUIDs by device path ({@code /dev/xvda1}) for fstab rewriting
 * @param partitionUuids file system UUIDs by partition number, read from an offline image; a
 *     device path such as {@code /dev/nvme0n1p2} is mapped to its partition number
 * @param regenerate rebuild the initramfs and the GRUB configuration with the guest's own tools
 *     (in a chroot of the root) when the run changed their configuration; when it cannot be done
 *     the report notes why and the command to run in the target
 * @param notes remarks of the caller for the report (offline mode: which partitions it mounted)
 */
public record AgentOptions(
    boolean dryRun,
    boolean live,
    Map<String, String> deviceUuids,
    Map<Integer, String> partitionUuids,
    boolean regenerate,
    List<String> notes) {

  /** A real (not dry) offline run without device information, not regenerating. */
  public static final AgentOptions DEFAULTS = new AgentOptions(false, false, Map.of(), Map.of());

  public AgentOptions {
    deviceUuids = deviceUuids == null ? Map.of() : Map.copyOf(deviceUuids);
    partitionUuids = partitionUuids == null ? Map.of() : Map.copyOf(partitionUuids);
    notes = notes == null ? List.of() : List.copyOf(notes);
  }

  /** Options that do not regenerate and carry no notes. */
  public AgentOptions(boolean dryRun, boolean live, Map<String, String> deviceUuids, Map<Integer, String> partitionUuids) {
    this(dryRun, live, deviceUuids, partitionUuids, false, List.of());
  }

  /** These options as a dry run or not. */
  public AgentOptions withDryRun(boolean dryRun) {
    return new AgentOptions(dryRun, live, deviceUuids, partitionUuids, regenerate, notes);
  }

  /** These options regenerating or not. */
  public AgentOptions withRegenerate(boolean regenerate) {
    return new AgentOptions(dryRun, live, deviceUuids, partitionUuids, regenerate, notes);
  }

  /** These options with {@code notes} for the report. */
  public AgentOptions withNotes(List<String> notes) {
    return new AgentOptions(dryRun, live, deviceUuids, partitionUuids, regenerate, notes);
  }
}
