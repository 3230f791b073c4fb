package io.ferry.systemmanager.internal.trigger;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs {@link TriggerTasks#recurring} on db-scheduler's core, on the {@code scheduled_tasks} table
 * the orchestrator's Flyway migration creates. This scheduler knows only the trigger task and
 * leaves the orchestrator's executions alone (it never deletes executions of tasks it does not
 * know); several system manager processes share the one recurring execution. Another scheduler on
 * the table may delete the trigger execution it does not know after a while (db-scheduler's
 * default: 14 days), so the execution is put back when missing. Started after the context (and
 * Flyway) is ready.
 */
@Component
public class TriggerScheduler implements SmartLifecycle {

  private static final Logger LOG = LoggerFactory.getLogger(TriggerScheduler.class);
  /** Executions of tasks this scheduler does not know are never deleted by it. */
  private static final Duration KEEP_UNKNOWN_EXECUTIONS = Duration.ofDays(36_500);
  private static final Duration ENSURE_EXECUTION_EVERY = Duration.ofMinutes(10);

  private final DataSource dataSource;
  private final TriggerEngine engine;
  private final TriggerProperties properties;
  private final Clock clock;
  private volatile Scheduler scheduler;
  private volatile ScheduledExecutorService keeper;
  private volatile RecurringTask<Void> task;

  public TriggerScheduler(DataSource dataSource, TriggerEngine engine, TriggerProperties properties, Clock clock) {
    this.dataSource = dataSource;
    this.engine = engine;
    this.properties = properties;
    this.clock = clock;
  }

  @Override
  public synchronized void start() {
    if (!properties.enabled() || scheduler != null) {
      return;
    }
    RecurringTask<Void> task = TriggerTasks.recurring(engine, clock::instant, properties.interval());
    Scheduler started = Scheduler.create(dataSource)
        .startTasks(List.of(task))
        .threads(1)
        .pollingInterval(properties.pollingInterval())
        .deleteUnresolvedAfter(KEEP_UNKNOWN_EXECUTIONS)
        .schedulerName(new SchedulerName.Hostname())
        .build();
    started.start();
    scheduler = started;
    keeper = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "ferry-trigger-keeper");
      thread.setDaemon(true);
      return thread;
    });
    this.task = task;
    keeper.scheduleWithFixedDelay(() -> {
      try {
        ensureExecution();
      } catch (RuntimeException e) {
        LOG.warn("cannot check the trigger task's execution: {}", e.toString());
      }
    }, ENSURE_EXECUTION_EVERY.toSeconds(), ENSURE_EXECUTION_EVERY.toSeconds(), TimeUnit.SECONDS);
  }

  /** Puts the recurring execution back when it is missing; returns whether it was missing. */
  public boolean ensureExecution() {
    Scheduler running = scheduler;
    if (running == null) {
      return false;
    }
    boolean missing = running.scheduleIfNotExists(task.instance(RecurringTask.INSTANCE), clock.instant());
    if (missing) {
      LOG.warn("the trigger task's execution was missing and has been scheduled again");
    }
    return missing;
  }

  @Override
  public synchronized void stop() {
    if (keeper != null) {
      keeper.shutdownNow();
      keeper = null;
    }
    if (scheduler != null) {
      scheduler.stop();
      scheduler = null;
    }
  }

  @Override
  public boolean isRunning() {
    return scheduler != null;
  }
}
