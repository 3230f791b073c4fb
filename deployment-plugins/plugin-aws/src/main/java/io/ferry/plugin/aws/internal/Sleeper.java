package io.ferry.plugin.aws.internal;

import java.time.Duration;

/** Pauses the calling thread; tests pass one that records instead of sleeping. */
@FunctionalInterface
public interface Sleeper {

  /** The sleeper that really sleeps. */
  Sleeper SYSTEM = duration -> Thread.sleep(duration.toMillis());

  /** Pauses for {@code duration}. */
  void sleep(Duration duration) throws InterruptedException;
}
