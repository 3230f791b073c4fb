package io.ferry.plugin.aws.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Retries a call that failed with a retryable {@link FerryException} (throttling, 5xx, a lost
 * connection), sleeping an exponentially growing, jittered delay between attempts ("full
 * jitter": a random delay between zero and {@code min(maximum, base * 2^attempt)}).
 *
 * @param attempts how many times to call at most (at least 1)
 * @param base the first delay bound
 * @param maximum the largest delay bound
 * @param sleeper how to pause
 * @param random a source of random numbers in [0, Long.MAX_VALUE) for the jitter
 */
public record Backoff(int attempts, Duration base, Duration maximum, Sleeper sleeper, LongSupplier random) {

  /** Eight attempts, 100 ms doubling up to 20 s. */
  public static Backoff standard(Sleeper sleeper) {
    return new Backoff(8, Duration.ofMillis(100), Duration.ofSeconds(20), sleeper,
        () -> java.util.concurrent.ThreadLocalRandom.current().nextLong(Long.MAX_VALUE));
  }

  public Backoff {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1");
    }
  }

  /** Calls {@code call} until it succeeds, fails with a non-retryable error or attempts run out. */
  public <T> T call(Supplier<T> call) {
    for (int attempt = 1; ; attempt++) {
      try {
        return call.get();
      } catch (FerryException failure) {
        if (!failure.retryable() || attempt >= attempts) {
          throw failure;
        }
        pause(attempt);
      }
    }
  }

  /** The delay bound before retry number {@code attempt} (1 for the first retry). */
  Duration bound(int attempt) {
    long millis = base.toMillis() << Math.min(attempt - 1, 30);
    return Duration.ofMillis(Math.min(Math.max(millis, 0), maximum.toMillis()));
  }

  private void pause(int attempt) {
    long bound = bound(attempt).toMillis();
    long delay = bound == 0 ? 0 : Math.floorMod(random.getAsLong(), bound + 1);
    try {
      sleeper.sleep(Duration.ofMillis(delay));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FerryException(ErrorCode.CANCELLED, "interrupted while backing off", e);
    }
  }
}
