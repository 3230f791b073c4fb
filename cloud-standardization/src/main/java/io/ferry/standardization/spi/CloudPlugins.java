package io.ferry.standardization.spi;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds the installed plugins through {@link ServiceLoader}. */
public final class CloudPlugins {

  private final Map<String, CloudPluginFactory> factories;

  private CloudPlugins(Map<String, CloudPluginFactory> factories) {
    this.factories = factories;
  }

  /** Loads every plugin on the class path of the given class loader. */
  public static CloudPlugins load(ClassLoader classLoader) {
    Map<String, CloudPluginFactory> found = new TreeMap<>();
    for (CloudPluginFactory factory : ServiceLoader.load(CloudPluginFactory.class, classLoader)) {
      CloudPluginFactory previous = found.putIfAbsent(factory.id(), factory);
      if (previous != null) {
        throw new IllegalStateException("two plugins with id " + factory.id());
      }
    }
    return new CloudPlugins(Map.copyOf(found));
  }

  /** The installed plugins by id. */
  public Map<String, CloudPluginFactory> factories() {
    return factories;
  }

  /** The plugin with the given id; NOT_FOUND when none is installed. */
  public CloudPluginFactory factory(String id) {
    CloudPluginFactory factory = factories.get(id);
    if (factory == null) {
      throw new FerryException(ErrorCode.NOT_FOUND, "no cloud plugin with id '" + id + "' is installed; installed: " + factories.keySet());
    }
    return factory;
  }
}
