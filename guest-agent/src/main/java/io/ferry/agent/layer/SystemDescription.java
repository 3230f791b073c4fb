package io.ferry.agent.layer;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * What the agent found in a root file system.
 *
 * @param os the operating system from os-release
 * @param packageManager dpkg, rpm or unknown
 * @param initSystem systemd, sysvinit, openrc or unknown
 * @param bootMode uefi, bios or unknown, with the evidence in {@code notes}
 * @param architecture the CPU architecture the tree's binaries are built for ({@code x86_64},
 *     {@code arm64}, ... or {@code unknown}), with the evidence in {@code notes}
 * @param kernels kernel versions found in /boot and /lib/modules
 * @param cloudInit the cloud-init installation and its effective datasource list
 * @param agents the catalogue's guest agents and their state
 * @param layers for each cloud of the catalogue, whether its layer is present and why
 * @param notes evidence and remarks
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SystemDescription(
    OperatingSystem os,
    String packageManager,
    String initSystem,
    String bootMode,
    String architecture,
    List<String> kernels,
    CloudInitState cloudInit,
    List<AgentState> agents,
    List<LayerPresence> layers,
    List<String> notes) {

  /** The ids of the clouds whose layer is present. */
  @JsonIgnore
  public List<String> presentLayers() {
    return layers.stream().filter(LayerPresence::present).map(LayerPresence::cloud).toList();
  }

  /**
   * The operating system.
   *
   * @param id os-release ID (debian, ubuntu, rocky, ...) or null when there is no os-release
   * @param idLike os-release ID_LIKE
   * @param family debian, rhel, suse or unknown
   * @param name os-release NAME
   * @param versionId os-release VERSION_ID
   * @param prettyName os-release PRETTY_NAME
   * @param supported whether the agent strips and injects this OS
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record OperatingSystem(
      String id,
      List<String> idLike,
      String family,
      String name,
      String versionId,
      String prettyName,
      boolean supported) {}

  /**
   * cloud-init.
   *
   * @param installed whether cloud-init is installed
   * @param datasourceList the effective datasource_list, empty when none is set
   * @param datasourceListFile the file the effective list comes from
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record CloudInitState(
      boolean installed, List<String> datasourceList, String datasourceListFile) {}

  /**
   * A guest agent of the catalogue.
   *
   * @param cloud the cloud it belongs to
   * @param packageName the package
   * @param installed whether the package is installed (dpkg status, or its unit files on rpm)
   * @param units unit name to enabled, disabled, masked or absent
   */
  public record AgentState(
      String cloud, String packageName, boolean installed, Map<String, String> units) {}

  /**
   * Whether one cloud's layer is present.
   *
   * @param cloud the cloud id
   * @param present whether any signal of the layer is active
   * @param signals the active signals found
   */
  public record LayerPresence(String cloud, boolean present, List<String> signals) {}
}
