package io.ferry.orchestrator;

/**
 * Receives the events of the jobs this process's workers run (the system manager turns them into
 * server-sent events). Events of jobs run by other worker processes are not delivered here; read
 * {@link Orchestrator#status(String)} for those. Implementations must be cheap and thread-safe and
 * must not throw.
 */
@FunctionalInterface
public interface MigrationEventListener {

  /** A listener that ignores every event. */
  MigrationEventListener NONE = event -> {};

  /** Called after each change was recorded in the database. */
  void onEvent(MigrationEvent event);
}
