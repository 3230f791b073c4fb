package io.ferry.plugin.aws.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Polls until a cloud resource reaches a state. The deadline comes from the injected {@link
 * Clock}; the number of polls is also bounded ({@code timeout / interval}, at least one per
 * second of timeout), so a clock that stands still cannot make a waiter hang.
 *
 * @param clock where time comes from
 * @param sleeper how to pause between polls
 * @param timeout how long to wait at most
 * @param interval the pause between polls
 */
public record Waiter(Clock clock, Sleeper sleeper, Duration timeout, Duration interval) {

  /**
   * Polls {@code poll} until it returns a value, and returns it; {@code poll} throws to give up
   * early (a resource in an error state).
   *
   * @throws FerryException TIMEOUT when the deadline or the poll budget is exhausted
   */
  public <T> T until(String what, Supplier<Optional<T>> poll) {
    Instant deadline = clock.instant().plus(timeout);
    long budget = Math.max(1, timeout.toMillis() / Math.max(interval.toMillis(), 1000)) + 1;
    for (long polls = 1; ; polls++) {
      Optional<T> result = poll.get();
      if (result.isPresent()) {
        return result.get();
      }
      if (polls >= budget || !clock.instant().isBefore(deadline)) {
        throw new FerryException(ErrorCode.TIMEOUT, "gave up waiting after " + timeout + " for " + what);
      }
      try {
        sleeper.sleep(interval);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new FerryException(ErrorCode.CANCELLED, "interrupted while waiting for " + what, e);
      }
    }
  }
}
