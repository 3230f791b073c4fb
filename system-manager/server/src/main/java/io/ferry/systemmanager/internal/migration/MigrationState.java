package io.ferry.systemmanager.internal.migration;

/** Where a migration stands. */
public enum MigrationState {
  /** Persisted and handed to the orchestrator; no step has started. */
  QUEUED,
  RUNNING,
  /** A cancel was asked for while steps ran; the orchestrator cleans up. */
  CANCELLING,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  /** Whether the migration has ended. */
  public boolean finished() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }
}
