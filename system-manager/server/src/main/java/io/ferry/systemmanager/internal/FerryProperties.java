package io.ferry.systemmanager.internal;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code ferry.*} configuration.
 *
 * @param home where the embedded database, the generated master key and the local cloud live
 * @param database the embedded database's settings
 * @param security the master key
 * @param bootstrap what the first start creates
 * @param api limits of the REST API
 */
@ConfigurationProperties("ferry")
public record FerryProperties(
    Path home, Database database, Security security, Bootstrap bootstrap, Api api) {

  /** @param embedded the embedded PostgreSQL used when no database URL is configured */
  public record Database(Embedded embedded) {}

  /** @param port the port, 0 for any free port */
  public record Embedded(@DefaultValue("0") int port) {}

  /** @param masterKey base64 of the 32-byte AES key that encrypts cloud credentials */
  public record Security(String masterKey) {
    @Override
    public String toString() {
      return "Security[masterKey=" + (masterKey == null || masterKey.isBlank() ? "unset" : "(hidden)") + "]";
    }
  }

  /**
   * @param adminUsername the platform admin's user name
   * @param adminPassword the platform admin's first password, generated when unset
   * @param defaultTenant the name of the tenant created at first start
   */
  public record Bootstrap(
      @DefaultValue("admin") String adminUsername,
      String adminPassword,
      @DefaultValue("default") String defaultTenant) {
    @Override
    public String toString() {
      return "Bootstrap[adminUsername=" + adminUsername + ", defaultTenant=" + defaultTenant + "]";
    }
  }

  /** @param maxBodyBytes the largest request body accepted */
  public record Api(@DefaultValue("1048576") long maxBodyBytes) {}
}
