package io.ferry.orchestrator;

import io.ferry.standardization.bundle.ChunkStore;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * How an {@link Orchestrator} works.
 *
 * @param agentJar the guest agent's jar, run as {@code java -jar agentJar ...} for STRIP and INJECT
 * @param workDirectory where scratch disks live, one folder per job (deleted by CLEANUP)
 * @param store where bundles live
 * @param workerThreads migration steps run at once in this process; 0 makes a submit-only
 *     orchestrator that never runs steps (workers elsewhere do)
 * @param pollingInterval how often idle workers look for due steps
 * @param heartbeatInterval how often a worker marks its running steps alive; a step whose worker
 *     missed {@link #missedHeartbeats} heartbeats is taken over by another worker
 * @param missedHeartbeats see {@code heartbeatInterval}
 * @param maxAttempts attempts per step for retryable errors, at least 1
 * @param retryBackoff the delay before the second attempt; doubled for each further attempt
 * @param maxRetryBackoff the longest delay between attempts
 * @param stepTimeouts time limits of single steps; steps not listed get {@code defaultStepTimeout}
 * @param defaultStepTimeout the time limit of steps not in {@code stepTimeouts}
 * @param chunkSize the bundle chunk size in bytes
 * @param hook called at every block boundary (tests pause workers with it)
 * @param workerName this worker's name in step attempt rows and in db-scheduler's table
 * @param helperMode how helper mode works (control-plane URL, job tokens, timing)
 */
public record OrchestratorSettings(
    Path agentJar,
    Path workDirectory,
    ChunkStore store,
    int workerThreads,
    Duration pollingInterval,
    Duration heartbeatInterval,
    int missedHeartbeats,
    int maxAttempts,
    Duration retryBackoff,
    Duration maxRetryBackoff,
    Map<StepName, Duration> stepTimeouts,
    Duration defaultStepTimeout,
    int chunkSize,
    StepHook hook,
    String workerName,
    HelperModeSettings helperMode) {

  public OrchestratorSettings {
    Objects.requireNonNull(agentJar, "agentJar");
    Objects.requireNonNull(workDirectory, "workDirectory");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(pollingInterval, "pollingInterval");
    Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    Objects.requireNonNull(retryBackoff, "retryBackoff");
    Objects.requireNonNull(maxRetryBackoff, "maxRetryBackoff");
    Objects.requireNonNull(defaultStepTimeout, "defaultStepTimeout");
    Objects.requireNonNull(hook, "hook");
    Objects.requireNonNull(workerName, "workerName");
    helperMode = helperMode == null ? HelperModeSettings.defaults() : helperMode;
    if (workerThreads < 0 || maxAttempts < 1 || missedHeartbeats < 1) {
      throw new IllegalArgumentException("workerThreads must be >= 0, maxAttempts and missedHeartbeats >= 1");
    }
    stepTimeouts = Map.copyOf(stepTimeouts == null ? Map.of() : stepTimeouts);
  }

  /**
   * Two worker threads, polling every second, heartbeats every 10 seconds (dead after 6 missed),
   * 3 attempts with 5 s doubling backoff up to 5 minutes, 6 hours per step, 4 MiB chunks.
   */
  public static OrchestratorSettings defaults(Path agentJar, Path workDirectory, ChunkStore store) {
    return new OrchestratorSettings(
        agentJar.toAbsolutePath(), workDirectory.toAbsolutePath(), store, 2, Duration.ofSeconds(1),
        Duration.ofSeconds(10), 6, 3, Duration.ofSeconds(5), Duration.ofMinutes(5),
        new EnumMap<>(StepName.class), Duration.ofHours(6), 4 << 20, StepHook.NONE,
        ManagementFactory.getRuntimeMXBean().getName(), HelperModeSettings.defaults());
  }

  /** The time limit of {@code step}. */
  public Duration timeout(StepName step) {
    return stepTimeouts.getOrDefault(step, defaultStepTimeout);
  }

  /** These settings with {@code workerThreads}. */
  public OrchestratorSettings withWorkerThreads(int workerThreads) {
    return new OrchestratorSettings(agentJar, workDirectory, store, workerThreads, pollingInterval, heartbeatInterval,
        missedHeartbeats, maxAttempts, retryBackoff, maxRetryBackoff, stepTimeouts, defaultStepTimeout, chunkSize, hook,
        workerName, helperMode);
  }

  /** These settings with the given polling and heartbeat intervals. */
  public OrchestratorSettings withIntervals(Duration pollingInterval, Duration heartbeatInterval, int missedHeartbeats) {
    return new OrchestratorSettings(agentJar, workDirectory, store, workerThreads, pollingInterval, heartbeatInterval,
        missedHeartbeats, maxAttempts, retryBackoff, maxRetryBackoff, stepTimeouts, defaultStepTimeout, chunkSize, hook,
        workerName, helperMode);
  }

  /** These settings with the given retry policy. */
  public OrchestratorSettings withRetries(int maxAttempts, Duration retryBackoff, Duration maxRetryBackoff) {
    return new OrchestratorSettings(agentJar, workDirectory, store, workerThreads, pollingInterval, heartbeatInterval,
        missedHeartbeats, maxAttempts, retryBackoff, maxRetryBackoff, stepTimeouts, defaultStepTimeout, chunkSize, hook,
        workerName, helperMode);
  }

  /** These settings with the time limit of {@code step} set to {@code timeout}. */
  public OrchestratorSettings withStepTimeout(StepName step, Duration timeout) {
    Map<StepName, Duration> timeouts = new EnumMap<>(StepName.class);
    timeouts.putAll(stepTimeouts);
    timeouts.put(step, timeout);
    return new OrchestratorSettings(agentJar, workDirectory, store, workerThreads, pollingInterval, heartbeatInterval,
        missedHeartbeats, maxAttempts, retryBackoff, maxRetryBackoff, timeouts, defaultStepTimeout, chunkSize, hook,
        workerName, helperMode);
  }

  /** These settings with {@code chunkSize}. */
  public OrchestratorSettings withChunkSize(int chunkSize) {
    return new OrchestratorSettings(agentJar, workDirectory, store, workerThreads, pollingInterval, heartbeatInterval,
        missedHeartbeats, maxAttempts, retryBackoff, maxRetryBackoff, stepTimeouts, defaultStepTimeout, chunkSize, hook,
        workerName, helperMode);
  }

  /** These settings with {@code hook}. */
  public OrchestratorSettings withHook(StepHook hook) {
    return new OrchestratorSettings(agentJar, workDirectory, store, workerThreads, pollingInterval, heartbeatInterval,
        missedHeartbeats, maxAttempts, retryBackoff, maxRetryBackoff, stepTimeouts, defaultStepTimeout, chunkSize, hook,
        workerName, helperMode);
  }

  /** These settings with {@code workerName}. */
  public OrchestratorSettings withWorkerName(String workerName) {
    return new OrchestratorSettings(agentJar, workDirectory, store, workerThreads, pollingInterval, heartbeatInterval,
        missedHeartbeats, maxAttempts, retryBackoff, maxRetryBackoff, stepTimeouts, defaultStepTimeout, chunkSize, hook,
        workerName, helperMode);
  }

  /** These settings with {@code helperMode}. */
  public OrchestratorSettings withHelperMode(HelperModeSettings helperMode) {
    return new OrchestratorSettings(agentJar, workDirectory, store, workerThreads, pollingInterval, heartbeatInterval,
        missedHeartbeats, maxAttempts, retryBackoff, maxRetryBackoff, stepTimeouts, defaultStepTimeout, chunkSize, hook,
        workerName, helperMode);
  }
}
