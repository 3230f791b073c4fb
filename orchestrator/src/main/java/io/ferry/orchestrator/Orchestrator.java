package io.ferry.orchestrator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.SchedulerName;
import io.ferry.orchestrator.internal.JobStore;
import io.ferry.orchestrator.internal.MigrationTask;
import io.ferry.orchestrator.internal.Steps;
import io.ferry.standardization.spi.CloudPlugins;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The migration workflow on PostgreSQL. {@link #submit} records a job and its steps and schedules
 * its execution; worker threads of every orchestrator process sharing the database (this one when
 * {@link OrchestratorSettings#workerThreads()} is positive, after {@link #start()}) claim due
 * executions through db-scheduler and run one step per execution. The tables come from the Flyway
 * migrations in {@code db/migration} (V50 and up), run by the host's Flyway or {@link #migrate}.
 */
public final class Orchestrator implements MigrationOrchestrator, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Orchestrator.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JobStore store;
  private final MigrationTask task;
  private final OrchestratorSettings settings;
  private final Set<String> locallyCancelled = ConcurrentHashMap.newKeySet();
  private final SchedulerClient client;
  private final Scheduler scheduler;
  private final Steps steps;
  private final Clock clock;
  private final AgentChannel channel;

  /**
   * An orchestrator on {@code dataSource} whose plugins come from {@code plugins}.
   *
   * @param dataSource the PostgreSQL database holding the orchestrator's tables
   * @param clock the clock for every timestamp, backoff and timeout
   * @param resolver looks up the accounts migrations name
   * @param plugins the installed cloud plugins ({@link CloudPlugins#load})
   * @param settings how it works
   * @param listener receives the events of the steps this process runs
   */
  public Orchestrator(DataSource dataSource, Clock clock, AccountResolver resolver, CloudPlugins plugins,
      OrchestratorSettings settings, MigrationEventListener listener) {
    Objects.requireNonNull(dataSource, "dataSource");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.store = new JobStore(dataSource, clock);
    this.channel = new AgentChannel(dataSource, clock, settings.store());
    this.steps = new Steps(store, clock, resolver, plugins, settings, channel);
    this.task = new MigrationTask(store, steps, clock, settings, listener, locallyCancelled);
    if (settings.workerThreads() > 0) {
      this.scheduler = Scheduler.create(dataSource, List.of(task.task()))
          .threads(settings.workerThreads())
          .pollingInterval(settings.pollingInterval())
          .heartbeatInterval(settings.heartbeatInterval())
          .missedHeartbeatsLimit(settings.missedHeartbeats())
          .schedulerName(new SchedulerName.Fixed(settings.workerName()))
          .enableImmediateExecution()
          .build();
      this.client = scheduler;
    } else {
      this.scheduler = null;
      this.client = SchedulerClient.Builder.create(dataSource, task.task()).build();
    }
  }

  /** Runs the orchestrator's Flyway migrations (and any other in {@code db/migration}) on {@code dataSource}. */
  public static void migrate(DataSource dataSource) {
    Flyway.configure()
        .dataSource(dataSource)
        .locations("classpath:db/migration")
        .ignoreMigrationPatterns("*:missing")
        .load()
        .migrate();
  }

  /** Starts this process's workers (no effect for a submit-only orchestrator). */
  public void start() {
    if (scheduler != null) {
      scheduler.start();
    }
  }

  @Override
  public void submit(MigrationRequest request) {
    String options;
    try {
      options = JSON.writeValueAsString(request.options());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("options cannot be written as JSON", e);
    }
    boolean created = store.insert(request, options);
    client.scheduleIfNotExists(task.instance(request.migrationId()), clock.instant());
    if (created) {
      LOG.info("migration {} submitted", request.migrationId());
    }
  }

  @Override
  public void cancel(String migrationId) {
    cancel(migrationId, "cancelled on request");
  }

  /**
   * Cancels a job with a reason: the running step stops at its next block boundary, CLEANUP runs
   * and the job ends CANCELLED. Returns whether the job existed and had not finished.
   */
  public boolean cancel(String migrationId, String reason) {
    boolean requested = store.requestCancel(migrationId, reason);
    if (requested) {
      locallyCancelled.add(migrationId);
      try {
        client.reschedule(task.instance(migrationId), clock.instant());
      } catch (RuntimeException running) {
        // The execution is running; the step sees the flag at its next block boundary.
      }
      LOG.info("migration {} cancel requested: {}", migrationId, reason);
    }
    return requested;
  }

  /** The job's state and steps, or empty when it was never submitted. */
  public Optional<MigrationStatus> status(String migrationId) {
    return store.status(migrationId);
  }

  /** The helper-mode channel: what the control plane's agent endpoints serve. */
  public AgentChannel agentChannel() {
    return channel;
  }

  /** The settings. */
  public OrchestratorSettings settings() {
    return settings;
  }

  /** Stops this process's workers; running steps are interrupted and resumed by another worker. */
  @Override
  public void close() {
    if (scheduler != null) {
      scheduler.stop();
    }
  }
}
