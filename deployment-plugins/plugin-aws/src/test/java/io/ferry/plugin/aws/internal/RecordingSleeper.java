package io.ferry.plugin.aws.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A sleeper that records the pauses asked for and returns at once. */
final class RecordingSleeper implements Sleeper {

  final List<Duration> pauses = new ArrayList<>();
  private final Runnable onSleep;

  RecordingSleeper() {
    this(() -> {});
  }

  RecordingSleeper(Runnable onSleep) {
    this.onSleep = onSleep;
  }

  @Override
  public synchronized void sleep(Duration duration) {
    pauses.add(duration);
    onSleep.run();
  }
}
