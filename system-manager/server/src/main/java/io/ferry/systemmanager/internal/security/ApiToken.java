package io.ferry.systemmanager.internal.security;

import io.ferry.systemmanager.internal.tenant.TenantOwned;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** An API token for CI pipelines; only its SHA-256 hash is stored. */
@Entity
@Table(name = "api_token")
public class ApiToken implements TenantOwned {

  @Id private UUID id;

  @Column(name = "tenant_id", nullable = false)
  private UUID tenantId;

  @Column(name = "user_id", nullable = false)
  private UUID userId;

  @Column(nullable = false)
  private String name;

  @Column(name = "token_hash", nullable = false)
  private String tokenHash;

  @Column(name = "token_prefix", nullable = false)
  private String tokenPrefix;

  @Column(name = "created_at", nullable = false)
  private Instant createdAt;

  @Column(name = "expires_at")
  private Instant expiresAt;

  @Column(name = "revoked_at")
  private Instant revokedAt;

  protected ApiToken() {}

  public ApiToken(
      UUID tenantId, UUID userId, String name, String tokenHash, String tokenPrefix, Instant createdAt, Instant expiresAt) {
    this.id = UUID.randomUUID();
    this.tenantId = tenantId;
    this.userId = userId;
    this.name = name;
    this.tokenHash = tokenHash;
    this.tokenPrefix = tokenPrefix;
    this.createdAt = createdAt;
    this.expiresAt = expiresAt;
  }

  public UUID id() {
    return id;
  }

  @Override
  public UUID tenantId() {
    return tenantId;
  }

  public UUID userId() {
    return userId;
  }

  public String name() {
    return name;
  }

  public String tokenPrefix() {
    return tokenPrefix;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public Instant expiresAt() {
    return expiresAt;
  }

  public Instant revokedAt() {
    return revokedAt;
  }

  /** Whether the token may be used at the instant. */
  public boolean usableAt(Instant now) {
    return revokedAt == null && (expiresAt == null || now.isBefore(expiresAt));
  }

  public void revoke(Instant now) {
    if (revokedAt == null) {
      revokedAt = now;
    }
  }

  @Override
  public String toString() {
    return "ApiToken[id=" + id + ", name=" + name + ", prefix=" + tokenPrefix + "]";
  }
}
