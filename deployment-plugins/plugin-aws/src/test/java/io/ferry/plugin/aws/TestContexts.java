package io.ferry.plugin.aws;

import io.ferry.standardization.spi.PluginContext;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** Plugin contexts for tests: a fixed clock (waiters are bounded by their poll budget too). */
final class TestContexts {

  private TestContexts() {}

  static PluginContext fixed(Path scratch) {
    Clock clock = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
    return new PluginContext() {
      @Override
      public Clock clock() {
        return clock;
      }

      @Override
      public Path scratchDirectory() {
        return scratch;
      }
    };
  }
}
