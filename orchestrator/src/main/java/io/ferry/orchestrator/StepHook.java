package io.ferry.orchestrator;

/**
 * Called by the worker at every block boundary of a step (where it also checks for cancel and
 * timeouts). Production code uses {@link #NONE}; tests use it to pause a worker inside a step.
 */
@FunctionalInterface
public interface StepHook {

  /** A hook that does nothing. */
  StepHook NONE = (jobId, step, bytesDone) -> {};

  /**
   * The worker reached a block boundary of {@code step} of {@code jobId}.
   *
   * @param bytesDone the step's bytes done so far
   */
  void reached(String jobId, StepName step, long bytesDone);
}
