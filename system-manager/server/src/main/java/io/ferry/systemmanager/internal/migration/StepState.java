package io.ferry.systemmanager.internal.migration;

/** Where one step stands. */
public enum StepState {
  PENDING,
  RUNNING,
  DONE,
  FAILED,
  /** Not needed, such as EXPORT to BUNDLE when a bundle of the same image version exists. */
  SKIPPED
}
