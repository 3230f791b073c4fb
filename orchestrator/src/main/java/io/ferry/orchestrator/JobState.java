package io.ferry.orchestrator;

/** Where a migration job stands. */
public enum JobState {
  /** Submitted, no step ran yet. */
  QUEUED,
  /** A step runs or the next one is due. */
  RUNNING,
  /** Every step succeeded (or was skipped) and CLEANUP ran. */
  SUCCEEDED,
  /** A step failed for good; CLEANUP ran. */
  FAILED,
  /** Cancelled on request; CLEANUP ran. */
  CANCELLED;

  /** Whether nothing more will happen to the job. */
  public boolean finished() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }
}
