package io.ferry.orchestrator;

/** Where one step of a migration job stands. */
public enum StepState {
  /** Not started, or waiting for its next attempt after a retryable failure. */
  PENDING,
  /** Running (or its worker died while running it; another worker will take it over). */
  RUNNING,
  /** Finished. */
  SUCCEEDED,
  /** Not needed (a reused bundle, no layer to strip, a plugin that cannot read back). */
  SKIPPED,
  /** Failed for good. */
  FAILED,
  /** Not run, or stopped, because the job was cancelled or an earlier step failed. */
  CANCELLED
}
