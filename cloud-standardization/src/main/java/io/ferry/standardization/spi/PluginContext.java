package io.ferry.standardization.spi;

import java.nio.file.Path;
import java.time.Clock;

/** What the host gives a plugin: time and a scratch directory. */
public interface PluginContext {

  /** The clock to use for every timestamp and timeout. */
  Clock clock();

  /** A directory the plugin may use for scratch files; the host cleans it. */
  Path scratchDirectory();
}
