package io.ferry.systemmanager.internal.account;

import io.ferry.systemmanager.internal.tenant.TenantOwned;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * A tenant's account in one cloud. {@link #encryptedSecrets()} holds only AES-GCM ciphertexts;
 * {@link #toString()} shows neither settings' secrets nor ciphertexts.
 */
@Entity
@Table(name = "cloud_account")
public class CloudAccount implements TenantOwned {

  @Id private UUID id;

  @Column(name = "tenant_id", nullable = false)
  private UUID tenantId;

  @Column(name = "plugin_id", nullable = false)
  private String pluginId;

  @Column(nullable = false)
  private String name;

  private String region;

  private String endpoint;

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(nullable = false)
  private Map<String, String> settings = new HashMap<>();

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "secrets", nullable = false)
  private Map<String, String> encryptedSecrets = new HashMap<>();

  @Column(name = "images_refreshed_at")
  private Instant imagesRefreshedAt;

  @Column(name = "created_at", nullable = false)
  private Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  private Instant updatedAt;

  protected CloudAccount() {}

  public CloudAccount(UUID id, UUID tenantId, String pluginId, Instant createdAt) {
    this.id = id;
    this.tenantId = tenantId;
    this.pluginId = pluginId;
    this.createdAt = createdAt;
    this.updatedAt = createdAt;
  }

  public UUID id() {
    return id;
  }

  @Override
  public UUID tenantId() {
    return tenantId;
  }

  public String pluginId() {
    return pluginId;
  }

  public String name() {
    return name;
  }

  public String region() {
    return region;
  }

  public String endpoint() {
    return endpoint;
  }

  public Map<String, String> settings() {
    return Map.copyOf(settings);
  }

  /** Secret key to {@code v1:} ciphertext. */
  public Map<String, String> encryptedSecrets() {
    return Map.copyOf(encryptedSecrets);
  }

  public Instant imagesRefreshedAt() {
    return imagesRefreshedAt;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public Instant updatedAt() {
    return updatedAt;
  }

  /** Replaces the account's description, settings and encrypted secrets. */
  public void describe(
      String name, String region, String endpoint, Map<String, String> settings, Map<String, String> encryptedSecrets,
      Instant now) {
    this.name = name;
    this.region = region;
    this.endpoint = endpoint;
    this.settings = new HashMap<>(settings);
    this.encryptedSecrets = new HashMap<>(encryptedSecrets);
    this.updatedAt = now;
  }

  public void imagesRefreshed(Instant now) {
    this.imagesRefreshedAt = now;
  }

  @Override
  public String toString() {
    return "CloudAccount[id=" + id + ", plugin=" + pluginId + ", name=" + name + ", secrets="
        + encryptedSecrets.keySet() + " (values hidden)]";
  }
}
