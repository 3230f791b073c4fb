package io.ferry.agent.layer;

import java.util.Map;

/**
 * How a strip or inject runs.
 *
 * @param dryRun record the plan without changing anything
 * @param live the root is the running system's {@code /} (blkid and /sys may be read)
 * @param deviceUuids file system UUIDs by device path ({@code /dev/xvda1}) for fstab rewriting
 * @param partitionUuids file system UUIDs by partition number, read from an offline image; a
 *     device path such as {@code /dev/nvme0n1p2} is mapped to its partition number
 */
public record AgentOptions(
    boolean dryRun,
    boolean live,
    Map<String, String> deviceUuids,
    Map<Integer, String> partitionUuids) {

  /** A real (not dry) offline run without device information. */
  public static final AgentOptions DEFAULTS = new AgentOptions(false, false, Map.of(), Map.of());

  public AgentOptions {
    deviceUuids = deviceUuids == null ? Map.of() : Map.copyOf(deviceUuids);
    partitionUuids = partitionUuids == null ? Map.of() : Map.copyOf(partitionUuids);
  }

  /** These options as a dry run or not. */
  public AgentOptions withDryRun(boolean dryRun) {
    return new AgentOptions(dryRun, live, deviceUuids, partitionUuids);
  }
}
