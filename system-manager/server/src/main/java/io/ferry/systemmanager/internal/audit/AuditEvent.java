package io.ferry.systemmanager.internal.audit;

import io.ferry.systemmanager.internal.tenant.PlatformManaged;
import io.ferry.systemmanager.internal.tenant.TenantOwned;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** One mutating request: who did what to which target, when, in which tenant, with what outcome. */
@Entity
@Table(name = "audit_event")
public class AuditEvent implements TenantOwned, PlatformManaged {

  /** How a request ended. */
  public enum Outcome {
    SUCCESS,
    /** Refused by authentication or authorization (401, 403). */
    DENIED,
    /** Any other failure (4xx, 5xx). */
    FAILED
  }

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Column(name = "occurred_at", nullable = false)
  private Instant occurredAt;

  @Column(name = "tenant_id")
  private UUID tenantId;

  @Column(nullable = false)
  private String actor;

  @Column(nullable = false)
  private String action;

  private String target;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  private Outcome outcome;

  @Column(nullable = false)
  private int status;

  protected AuditEvent() {}

  public AuditEvent(
      Instant occurredAt, UUID tenantId, String actor, String action, String target, Outcome outcome, int status) {
    this.occurredAt = occurredAt;
    this.tenantId = tenantId;
    this.actor = actor;
    this.action = action;
    this.target = target;
    this.outcome = outcome;
    this.status = status;
  }

  public Long id() {
    return id;
  }

  public Instant occurredAt() {
    return occurredAt;
  }

  @Override
  public UUID tenantId() {
    return tenantId;
  }

  public String actor() {
    return actor;
  }

  public String action() {
    return action;
  }

  public String target() {
    return target;
  }

  public Outcome outcome() {
    return outcome;
  }

  public int status() {
    return status;
  }
}
