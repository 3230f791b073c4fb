package io.ferry.systemmanager.internal.migration;

import io.ferry.orchestrator.StepName;
import io.ferry.systemmanager.internal.tenant.TenantOwned;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.OrderColumn;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One migration (a job): an image from a source account to a target account, step by step. */
@Entity
@Table(name = "migration")
public class Migration implements TenantOwned {

  @Id private UUID id;

  @Column(name = "tenant_id", nullable = false)
  private UUID tenantId;

  @Column(name = "source_account_id", nullable = false)
  private UUID sourceAccountId;

  @Column(name = "source_image_id", nullable = false)
  private String sourceImageId;

  @Column(name = "target_account_id", nullable = false)
  private UUID targetAccountId;

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(nullable = false)
  private Map<String, String> options = new HashMap<>();

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  private MigrationState state;

  @Enumerated(EnumType.STRING)
  @Column(name = "current_step")
  private StepName currentStep;

  @Column(name = "progress_percent", nullable = false)
  private int progressPercent;

  @Column(name = "error_code")
  private String errorCode;

  @Column(name = "error_message")
  private String errorMessage;

  @Column(name = "created_by", nullable = false)
  private String createdBy;

  @Column(name = "created_at", nullable = false)
  private Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  private Instant updatedAt;

  @Column(name = "finished_at")
  private Instant finishedAt;

  @ElementCollection(fetch = FetchType.EAGER)
  @CollectionTable(name = "migration_step", joinColumns = @JoinColumn(name = "migration_id"))
  @OrderColumn(name = "position")
  private List<MigrationStep> steps = new ArrayList<>();

  protected Migration() {}

  public Migration(
      UUID tenantId, UUID sourceAccountId, String sourceImageId, UUID targetAccountId, Map<String, String> options,
      String createdBy, Instant now) {
    this.id = UUID.randomUUID();
    this.tenantId = tenantId;
    this.sourceAccountId = sourceAccountId;
    this.sourceImageId = sourceImageId;
    this.targetAccountId = targetAccountId;
    this.options = new HashMap<>(options);
    this.state = MigrationState.QUEUED;
    this.createdBy = createdBy;
    this.createdAt = now;
    this.updatedAt = now;
    for (StepName step : StepName.values()) {
      steps.add(new MigrationStep(step));
    }
  }

  /**
   * Asks to stop: a queued migration is cancelled at once (nothing ran), a running one goes to
   * CANCELLING until the orchestrator has cleaned up.
   *
   * @return false when the migration has already finished
   */
  public boolean requestCancel(Instant now) {
    if (state.finished()) {
      return false;
    }
    if (state == MigrationState.QUEUED || state == MigrationState.AWAITING_APPROVAL) {
      state = MigrationState.CANCELLED;
      finishedAt = now;
      errorCode = "CANCELLED";
    } else {
      state = MigrationState.CANCELLING;
    }
    updatedAt = now;
    return true;
  }

  /** Holds a new migration for a tenant admin's approval (an APPROVAL policy matched). */
  public void awaitApproval(Instant now) {
    state = MigrationState.AWAITING_APPROVAL;
    updatedAt = now;
  }

  /**
   * Approves or rejects a migration that awaits approval: approved, it is queued (and then handed
   * to the orchestrator); rejected, it ends with error code REJECTED.
   *
   * @return false when the migration does not await approval
   */
  public boolean decide(boolean approved, String reason, Instant now) {
    if (state != MigrationState.AWAITING_APPROVAL) {
      return false;
    }
    if (approved) {
      state = MigrationState.QUEUED;
    } else {
      state = MigrationState.REJECTED;
      errorCode = "REJECTED";
      errorMessage = reason;
      finishedAt = now;
    }
    updatedAt = now;
    return true;
  }

  /** Marks a migration the orchestrator did not accept. */
  public void handOffFailed(String message, Instant now) {
    state = MigrationState.FAILED;
    errorCode = "INTERNAL";
    errorMessage = message;
    finishedAt = now;
    updatedAt = now;
  }

  public UUID id() {
    return id;
  }

  @Override
  public UUID tenantId() {
    return tenantId;
  }

  public UUID sourceAccountId() {
    return sourceAccountId;
  }

  public String sourceImageId() {
    return sourceImageId;
  }

  public UUID targetAccountId() {
    return targetAccountId;
  }

  public Map<String, String> options() {
    return Map.copyOf(options);
  }

  public MigrationState state() {
    return state;
  }

  public StepName currentStep() {
    return currentStep;
  }

  public int progressPercent() {
    return progressPercent;
  }

  public String errorCode() {
    return errorCode;
  }

  public String errorMessage() {
    return errorMessage;
  }

  public String createdBy() {
    return createdBy;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public Instant updatedAt() {
    return updatedAt;
  }

  public Instant finishedAt() {
    return finishedAt;
  }

  public List<MigrationStep> steps() {
    return List.copyOf(steps);
  }
}
