package io.ferry.systemmanager.internal.account;

import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.CloudPlugin;
import io.ferry.standardization.spi.CloudPluginFactory;
import io.ferry.standardization.spi.CloudPlugins;
import io.ferry.standardization.spi.PluginContext;
import io.ferry.systemmanager.internal.FerryProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** The cloud plugins installed on the class path, found once through the plugin SPI. */
@Component
public class PluginRegistry {

  private static final Logger LOG = LoggerFactory.getLogger(PluginRegistry.class);

  private final CloudPlugins plugins;
  private final Clock clock;
  private final Path scratchRoot;

  public PluginRegistry(Clock clock, FerryProperties properties) {
    this.plugins = CloudPlugins.load(PluginRegistry.class.getClassLoader());
    this.clock = clock;
    this.scratchRoot = properties.home().resolve("scratch");
    LOG.info("Cloud plugins installed: {}", plugins.factories().keySet());
  }

  /** The installed plugins by id. */
  public Map<String, CloudPluginFactory> factories() {
    return plugins.factories();
  }

  /** The plugin with the id, if installed. */
  public Optional<CloudPluginFactory> find(String pluginId) {
    return Optional.ofNullable(plugins.factories().get(pluginId));
  }

  /** Creates a plugin instance for an account; the caller closes it. */
  public CloudPlugin open(CloudPluginFactory factory, CloudAccountConfig config) {
    Path scratch = scratchRoot.resolve(config.accountId());
    return factory.create(config, new PluginContext() {
      @Override
      public Clock clock() {
        return clock;
      }

      @Override
      public Path scratchDirectory() {
        try {
          return Files.createDirectories(scratch);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot create the scratch directory " + scratch, e);
        }
      }
    });
  }
}
