package io.ferry.standardization.layer;

import java.util.List;

/**
 * What the agent removes when this cloud is the source, on top of the generalization every strip
 * does (machine-id, SSH host keys, leases, cloud-init state, MAC pinning, fstab device names).
 *
 * @param units systemd units disabled (their {@code *.wants} links removed) and masked
 * @param files absolute paths ({@code *} allowed in the last component) removed and kept in the
 *     backup area so that {@code undo} restores them
 * @param secretFiles absolute paths ({@code *} allowed in the last component) deleted and never
 *     copied anywhere (keys, provisioning data)
 * @param defaultUsers the cloud's default login users whose {@code authorized_keys} are deleted
 */
public record LayerStrip(
    List<String> units, List<String> files, List<String> secretFiles, List<String> defaultUsers) {

  static final LayerStrip EMPTY = new LayerStrip(null, null, null, null);

  public LayerStrip {
    units = units == null ? List.of() : List.copyOf(units);
    files = files == null ? List.of() : List.copyOf(files);
    secretFiles = secretFiles == null ? List.of() : List.copyOf(secretFiles);
    defaultUsers = defaultUsers == null ? List.of() : List.copyOf(defaultUsers);
  }
}
