package io.ferry.systemmanager.internal.policy;

import io.ferry.systemmanager.internal.tenant.Role;
import io.ferry.systemmanager.internal.tenant.TenantOwned;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * One rule of a tenant. Its subject is a role (and the roles above it do not match: a rule for
 * OPERATOR applies to operators only), a user, or, with neither, everyone. Empty account and
 * region lists mean "any".
 */
@Entity
@Table(name = "policy")
public class Policy implements TenantOwned {

  @Id private UUID id;

  @Column(name = "tenant_id", nullable = false)
  private UUID tenantId;

  @Column(nullable = false)
  private String name;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  private PolicyKind kind;

  @Enumerated(EnumType.STRING)
  @Column(name = "subject_role")
  private Role subjectRole;

  @Column(name = "subject_username")
  private String subjectUsername;

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "source_account_ids", nullable = false)
  private List<UUID> sourceAccountIds = new ArrayList<>();

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "target_account_ids", nullable = false)
  private List<UUID> targetAccountIds = new ArrayList<>();

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(nullable = false)
  private List<String> regions = new ArrayList<>();

  @Column(name = "max_image_bytes")
  private Long maxImageBytes;

  @Column(name = "max_concurrent_migrations")
  private Integer maxConcurrentMigrations;

  @Column(name = "monthly_budget")
  private BigDecimal monthlyBudget;

  @Column(name = "approval_min_cost")
  private BigDecimal approvalMinCost;

  @Column(name = "created_at", nullable = false)
  private Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  private Instant updatedAt;

  protected Policy() {}

  public Policy(UUID tenantId, Instant now) {
    this.id = UUID.randomUUID();
    this.tenantId = tenantId;
    this.createdAt = now;
    this.updatedAt = now;
  }

  /** Replaces everything but the id, tenant and creation time. */
  void describe(PolicyRequest request, Instant now) {
    this.name = request.name();
    this.kind = request.kind();
    this.subjectRole = request.subjectRole();
    this.subjectUsername = request.subjectUsername();
    this.sourceAccountIds = new ArrayList<>(request.sourceAccountIds() == null ? List.of() : request.sourceAccountIds());
    this.targetAccountIds = new ArrayList<>(request.targetAccountIds() == null ? List.of() : request.targetAccountIds());
    this.regions = new ArrayList<>(request.regions() == null ? List.of() : request.regions());
    this.maxImageBytes = request.maxImageBytes();
    this.maxConcurrentMigrations = request.maxConcurrentMigrations();
    this.monthlyBudget = request.monthlyBudget();
    this.approvalMinCost = request.approvalMinCost();
    this.updatedAt = now;
  }

  /** Whether the rule is about this user. */
  boolean appliesTo(String username, Role role) {
    if (subjectUsername != null && !subjectUsername.equals(username)) {
      return false;
    }
    return subjectRole == null || subjectRole == role;
  }

  public UUID id() {
    return id;
  }

  @Override
  public UUID tenantId() {
    return tenantId;
  }

  public String name() {
    return name;
  }

  public PolicyKind kind() {
    return kind;
  }

  public Role subjectRole() {
    return subjectRole;
  }

  public String subjectUsername() {
    return subjectUsername;
  }

  public List<UUID> sourceAccountIds() {
    return List.copyOf(sourceAccountIds);
  }

  public List<UUID> targetAccountIds() {
    return List.copyOf(targetAccountIds);
  }

  public List<String> regions() {
    return List.copyOf(regions);
  }

  public Long maxImageBytes() {
    return maxImageBytes;
  }

  public Integer maxConcurrentMigrations() {
    return maxConcurrentMigrations;
  }

  public BigDecimal monthlyBudget() {
    return monthlyBudget;
  }

  public BigDecimal approvalMinCost() {
    return approvalMinCost;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public Instant updatedAt() {
    return updatedAt;
  }
}
