package io.ferry.standardization.spi;

import java.util.Map;
import java.util.Objects;

/**
 * The configuration of one cloud account as a plugin receives it: plain settings and, separately,
 * decrypted secrets. {@link #toString()} never shows secret values.
 *
 * @param accountId the control plane's id of the account
 * @param region the region or site, may be null
 * @param endpoint an endpoint override (a moto server, a vCenter URL), may be null
 * @param settings plugin-specific settings; a plugin refuses keys it does not know
 * @param secrets credentials; never logged, never returned by the API
 */
public record CloudAccountConfig(
    String accountId,
    String region,
    String endpoint,
    Map<String, String> settings,
    Map<String, String> secrets) {

  public CloudAccountConfig {
    Objects.requireNonNull(accountId, "accountId");
    settings = Map.copyOf(settings == null ? Map.of() : settings);
    secrets = Map.copyOf(secrets == null ? Map.of() : secrets);
  }

  @Override
  public String toString() {
    return "CloudAccountConfig[accountId="
        + accountId
        + ", region="
        + region
        + ", endpoint="
        + endpoint
        + ", settings="
        + settings
        + ", secrets="
        + secrets.keySet()
        + " (values hidden)]";
  }
}
