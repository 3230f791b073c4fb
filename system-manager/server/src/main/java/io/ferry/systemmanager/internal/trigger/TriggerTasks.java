package io.ferry.systemmanager.internal.trigger;

import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/** The db-scheduler task that evaluates the triggers: one recurring execution shared by every worker. */
public final class TriggerTasks {

  /** The task's name in {@code scheduled_tasks}. */
  public static final String NAME = "ferry-triggers";

  private TriggerTasks() {}

  /**
   * The recurring task: every {@code interval} after the previous round ended, one worker (whichever
   * picks the execution) evaluates every trigger at {@code now}.
   */
  public static RecurringTask<Void> recurring(TriggerEngine engine, Supplier<Instant> now, Duration interval) {
    return Tasks.recurring(NAME, FixedDelay.of(interval))
        .execute((instance, context) -> engine.evaluateAll(now.get()));
  }
}
