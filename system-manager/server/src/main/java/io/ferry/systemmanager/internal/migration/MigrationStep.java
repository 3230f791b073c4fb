package io.ferry.systemmanager.internal.migration;

import io.ferry.orchestrator.StepName;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import java.time.Instant;

/** One step of a migration. */
@Embeddable
public class MigrationStep {

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  private StepName name;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  private StepState state;

  @Column(name = "started_at")
  private Instant startedAt;

  @Column(name = "finished_at")
  private Instant finishedAt;

  protected MigrationStep() {}

  public MigrationStep(StepName name) {
    this.name = name;
    this.state = StepState.PENDING;
  }

  public StepName name() {
    return name;
  }

  public StepState state() {
    return state;
  }

  public Instant startedAt() {
    return startedAt;
  }

  public Instant finishedAt() {
    return finishedAt;
  }
}
