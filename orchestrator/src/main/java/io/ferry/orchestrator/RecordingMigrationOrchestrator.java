package io.ferry.orchestrator;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stand-in that only records the hand-off: it remembers what was submitted and cancelled and
 * runs nothing. The migration workflow (steps, checkpoints, workers) replaces it in a later issue;
 * until then migrations stay queued.
 */
public final class RecordingMigrationOrchestrator implements MigrationOrchestrator {

  private static final Logger LOG = LoggerFactory.getLogger(RecordingMigrationOrchestrator.class);

  private final List<MigrationRequest> submitted = new ArrayList<>();
  private final Set<String> cancelled = ConcurrentHashMap.newKeySet();

  @Override
  public void submit(MigrationRequest request) {
    synchronized (submitted) {
      if (submitted.stream().anyMatch(known -> known.migrationId().equals(request.migrationId()))) {
        return;
      }
      submitted.add(request);
    }
    LOG.info("migration {} recorded; no workflow runs it yet", request.migrationId());
  }

  @Override
  public void cancel(String migrationId) {
    cancelled.add(migrationId);
    LOG.info("cancel of migration {} recorded", migrationId);
  }

  /** The migrations submitted so far, in order. */
  public List<MigrationRequest> submitted() {
    synchronized (submitted) {
      return List.copyOf(submitted);
    }
  }

  /** Whether a cancel was recorded for the migration. */
  public boolean cancelled(String migrationId) {
    return cancelled.contains(migrationId);
  }
}
