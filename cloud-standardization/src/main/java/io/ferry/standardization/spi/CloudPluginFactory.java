package io.ferry.standardization.spi;

import java.util.List;
import java.util.Set;

/**
 * Entry point of a cloud plugin, registered in {@code
 * META-INF/services/io.ferry.standardization.spi.CloudPluginFactory}.
 */
public interface CloudPluginFactory {

  /** The plugin's stable id, such as {@code local}, {@code aws} or {@code vsphere}. */
  String id();

  /** A name for people, such as "Amazon Web Services". */
  String displayName();

  /** What the plugin's clouds can do. */
  Set<Capability> capabilities();

  /** The settings and secrets an account of this plugin accepts; other keys are refused. */
  List<ConfigProperty> configProperties();

  /**
   * Creates a plugin instance for one cloud account. Creating is cheap and does not call the
   * cloud; {@link CloudPlugin#validate()} does.
   *
   * @throws io.ferry.standardization.FerryException INVALID_REQUEST when the configuration has
   *     unknown keys or lacks required ones
   */
  CloudPlugin create(CloudAccountConfig config, PluginContext context);
}
