package io.ferry.systemmanager.internal.trigger;

import com.github.kagkarlsson.scheduler.Scheduler;
import java.time.Clock;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs {@link TriggerTasks#recurring} on db-scheduler's core, on the {@code scheduled_tasks} table
 * the orchestrator's Flyway migration creates (this scheduler knows only the trigger task and
 * leaves the orchestrator's executions alone, and the other way round). Several system manager
 * processes share the one recurring execution. Started after the context (and Flyway) is ready.
 */
@Component
public class TriggerScheduler implements SmartLifecycle {

  private final DataSource dataSource;
  private final TriggerEngine engine;
  private final TriggerProperties properties;
  private final Clock clock;
  private volatile Scheduler scheduler;

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
    scheduler = Scheduler.create(dataSource)
        .startTasks(List.of(TriggerTasks.recurring(engine, clock::instant, properties.interval())))
        .threads(1)
        .pollingInterval(properties.pollingInterval())
        .schedulerName(new com.github.kagkarlsson.scheduler.SchedulerName.Hostname())
        .build();
    scheduler.start();
  }

  @Override
  public synchronized void stop() {
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
