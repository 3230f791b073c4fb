package io.ferry.standardization.spi;

import java.util.Map;

/**
 * What helper to launch.
 *
 * @param osFamily an OS family compatible with the image's (e.g. "debian", "rhel")
 * @param architecture the image's architecture
 * @param agentBootstrap what the helper runs at boot to start the guest agent (user data)
 * @param settings plugin-specific hints such as an instance type
 */
public record HelperSpec(
    String osFamily, Architecture architecture, String agentBootstrap, Map<String, String> settings) {

  public HelperSpec {
    settings = Map.copyOf(settings == null ? Map.of() : settings);
  }
}
