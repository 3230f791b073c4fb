package io.ferry.orchestrator;

import io.ferry.standardization.spi.CloudAccountConfig;
import java.util.Objects;

/**
 * A cloud account as the orchestrator drives it.
 *
 * @param pluginId the id of the plugin that serves the account ({@code local}, {@code aws}, ...)
 * @param config the account's configuration with decrypted secrets (never logged)
 * @param layer the cloud layer the account's images carry ({@code aws}, {@code kvm}, ...), or
 *     null when the images carry none (STRIP or INJECT is then skipped)
 */
public record ResolvedAccount(String pluginId, CloudAccountConfig config, String layer) {

  public ResolvedAccount {
    Objects.requireNonNull(pluginId, "pluginId");
    Objects.requireNonNull(config, "config");
  }
}
