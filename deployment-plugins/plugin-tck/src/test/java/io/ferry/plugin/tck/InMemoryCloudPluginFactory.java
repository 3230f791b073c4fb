package io.ferry.plugin.tck;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
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
 * A hand-written fake cloud that keeps its images in memory, used to check that the contract
 * passes a correct plugin and catches broken ones. Subclasses break it in one way each.
 */
public class InMemoryCloudPluginFactory implements CloudPluginFactory {

  @Override
  public String id() {
    return "in-memory";
  }

  @Override
  public String displayName() {
    return "In-memory test cloud";
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.allOf(Capability.class);
  }

  @Override
  public List<ConfigProperty> configProperties() {
    return List.of(new ConfigProperty("bucket", "Name of the bucket", true, false, null));
  }

  @Override
  public CloudPlugin create(CloudAccountConfig config, PluginContext context) {
    for (String key : config.settings().keySet()) {
      if (!key.equals("bucket") && refusesUnknownKeys()) {
        throw new FerryException(ErrorCode.INVALID_REQUEST, "unknown setting " + key);
      }
    }
    if (!config.settings().containsKey("bucket")) {
      throw new FerryException(ErrorCode.INVALID_REQUEST, "setting bucket is required");
    }
    return new InMemoryCloudPlugin(InMemoryCloud.of(config.accountId()), leaksVolumes());
  }

  /** Whether unknown settings are refused (a broken plugin accepts them). */
  protected boolean refusesUnknownKeys() {
    return true;
  }

  /** Whether deleteTagged forgets volumes (a broken plugin leaks them). */
  protected boolean leaksVolumes() {
    return false;
  }
}
