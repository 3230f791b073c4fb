package io.ferry.systemmanager.internal.tenant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A person or pipeline that signs in; belongs to one tenant with one role. */
@Entity
@Table(name = "app_user")
public class AppUser implements TenantOwned, PlatformManaged {

  @Id private UUID id;

  @Column(name = "tenant_id", nullable = false)
  private UUID tenantId;

  @Column(nullable = false)
  private String username;

  @Column(name = "password_hash", nullable = false)
  private String passwordHash;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  private Role role;

  @Column(name = "platform_admin", nullable = false)
  private boolean platformAdmin;

  @Column(name = "created_at", nullable = false)
  private Instant createdAt;

  protected AppUser() {}

  public AppUser(
      UUID tenantId,
      String username,
      String passwordHash,
      Role role,
      boolean platformAdmin,
      Instant createdAt) {
    this.id = UUID.randomUUID();
    this.tenantId = tenantId;
    this.username = username;
    this.passwordHash = passwordHash;
    this.role = role;
    this.platformAdmin = platformAdmin;
    this.createdAt = createdAt;
  }

  public UUID id() {
    return id;
  }

  @Override
  public UUID tenantId() {
    return tenantId;
  }

  public String username() {
    return username;
  }

  public String passwordHash() {
    return passwordHash;
  }

  public void changePasswordHash(String passwordHash) {
    this.passwordHash = passwordHash;
  }

  public Role role() {
    return role;
  }

  public void changeRole(Role role) {
    this.role = role;
  }

  public boolean platformAdmin() {
    return platformAdmin;
  }

  public Instant createdAt() {
    return createdAt;
  }

  @Override
  public String toString() {
    return "AppUser[id=" + id + ", username=" + username + ", role=" + role + "]";
  }
}
