package io.ferry.systemmanager.internal.tenant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A tenant: an organisation whose users, accounts and migrations are invisible to others. */
@Entity
@Table(name = "tenant")
public class Tenant implements TenantOwned, PlatformManaged {

  @Id private UUID id;

  @Column(nullable = false)
  private String name;

  @Column(name = "created_at", nullable = false)
  private Instant createdAt;

  protected Tenant() {}

  public Tenant(String name, Instant createdAt) {
    this.id = UUID.randomUUID();
    this.name = name;
    this.createdAt = createdAt;
  }

  public UUID id() {
    return id;
  }

  @Override
  public UUID tenantId() {
    return id;
  }

  public String name() {
    return name;
  }

  public void rename(String name) {
    this.name = name;
  }

  public Instant createdAt() {
    return createdAt;
  }
}
