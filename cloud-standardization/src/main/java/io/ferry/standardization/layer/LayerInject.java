package io.ferry.standardization.layer;

import java.util.List;

/**
 * What the agent adds when this cloud is the target.
 *
 * @param datasources the cloud-init {@code datasource_list} written for this cloud, in order
 * @param cloudInitConfig extra cloud-init YAML appended to the datasource file, or null
 * @param agents guest agents whose services are enabled when their package is installed
 * @param initramfsModules kernel modules the initramfs must contain to boot on this cloud
 * @param kernelArguments kernel command line arguments (serial console and the like)
 */
public record LayerInject(
    List<String> datasources,
    String cloudInitConfig,
    List<AgentService> agents,
    List<String> initramfsModules,
    List<String> kernelArguments) {

  public LayerInject {
    datasources = datasources == null ? List.of() : List.copyOf(datasources);
    agents = agents == null ? List.of() : List.copyOf(agents);
    initramfsModules = initramfsModules == null ? List.of() : List.copyOf(initramfsModules);
    kernelArguments = kernelArguments == null ? List.of() : List.copyOf(kernelArguments);
  }
}
