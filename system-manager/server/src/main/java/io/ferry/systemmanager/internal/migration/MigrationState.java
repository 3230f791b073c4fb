package io.ferry.systemmanager.internal.migration;

/** Where a migration stands. */
public enum MigrationState {
  /** Persisted; an APPROVAL policy matched, a tenant admin approves or rejects it before it is handed over. */
  AWAITING_APPROVAL,
  /** Persisted and handed to the orchestrator; no step has started. */
  QUEUED,
  RUNNING,
  /** A cancel was asked for while steps ran; the orchestrator cleans up. */
  CANCELLING,
  SUCCEEDED,
  FAILED,
  CANCELLED,
  /** A tenant admin rejected it while it awaited approval; nothing ran. */
  REJECTED;

  /** Whether the migration has ended. */
  public boolean finished() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED || this == REJECTED;
  }
}
