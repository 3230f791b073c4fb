package io.ferry.plugin.local;

import io.ferry.plugin.local.internal.LocalCloudPlugin;
import io.ferry.plugin.local.internal.LocalSettings;
import io.ferry.standardization.spi.Capability;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.CloudPlugin;
import io.ferry.standardization.spi.CloudPluginFactory;
import io.ferry.standardization.spi.ConfigProperty;
import io.ferry.standardization.spi.PluginContext;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The local cloud, id {@code local}: an account is a directory holding {@code images/}, {@code
 * volumes/}, {@code uploads/}, {@code helpers/} and a registry of what each job created. See
 * {@link LocalSettings} for the settings an account takes.
 */
public final class LocalCloudPluginFactory implements CloudPluginFactory {

  /** The plugin's id. */
  public static final String ID = "local";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String displayName() {
    return "Local directory";
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.of(
        Capability.LIST_IMAGES,
        Capability.EXPORT_IMAGE,
        Capability.DIRECT_UPLOAD,
        Capability.HELPER_MODE,
        Capability.REGISTER_IMAGE,
        Capability.PRICES);
  }

  @Override
  public List<ConfigProperty> configProperties() {
    return LocalSettings.PROPERTIES;
  }

  @Override
  public CloudPlugin create(CloudAccountConfig config, PluginContext context) {
    return new LocalCloudPlugin(LocalSettings.parse(config), context);
  }
}
