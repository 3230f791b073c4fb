package io.ferry.standardization.layer;

import java.util.List;
import java.util.Map;

/**
 * How a cloud layer is recognised in a root file system.
 *
 * @param datasources cloud-init datasource names of this cloud; the layer is present when the
 *     effective {@code datasource_list} (without {@code None}) names only these
 * @param packages guest agent packages (dpkg or rpm names); installed alone they are reported,
 *     not counted as the layer
 * @param units systemd units of the cloud's agents; an enabled, unmasked unit shows the layer
 * @param files absolute paths (a {@code *} allowed in the last component) that only this cloud's
 *     image build adds; any of them shows the layer
 * @param dmi DMI attribute name (as under {@code /sys/class/dmi/id}) to value prefixes; live
 *     systems only
 */
public record LayerDetection(
    List<String> datasources,
    List<String> packages,
    List<String> units,
    List<String> files,
    Map<String, List<String>> dmi) {

  static final LayerDetection EMPTY = new LayerDetection(null, null, null, null, null);

  public LayerDetection {
    datasources = datasources == null ? List.of() : List.copyOf(datasources);
    packages = packages == null ? List.of() : List.copyOf(packages);
    units = units == null ? List.of() : List.copyOf(units);
    files = files == null ? List.of() : List.copyOf(files);
    dmi = dmi == null ? Map.of() : Map.copyOf(dmi);
  }
}
