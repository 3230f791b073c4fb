package io.ferry.orchestrator;

/**
 * What the system manager hands migrations to. The system manager persists a migration first and
 * then submits it here; the orchestrator runs its steps and reports progress back. Implementations
 * must be safe to call from several threads.
 */
public interface MigrationOrchestrator {

  /**
   * Accepts a persisted migration for execution. Submitting the same migration id twice has no
   * further effect.
   */
  void submit(MigrationRequest request);

  /**
   * Asks the orchestrator to stop a migration; it runs CLEANUP and marks the migration cancelled.
   * Cancelling a migration that is unknown or already finished has no effect.
   */
  void cancel(String migrationId);
}
