package io.ferry.plugin.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private final RecordingSleeper sleeper = new RecordingSleeper();
  private final Backoff backoff = new Backoff(4, Duration.ofMillis(100), Duration.ofMillis(250), sleeper, () -> Long.MAX_VALUE - 1);

  @Test
  void retryableFailuresAreRetriedWithGrowingCappedDelays() {
    AtomicInteger calls = new AtomicInteger();
    String result = backoff.call(() -> {
      if (calls.incrementAndGet() < 4) {
        throw new FerryException(ErrorCode.CLOUD_THROTTLED, "slow down");
      }
      return "done";
    });
    assertThat(result).isEqualTo("done");
    assertThat(backoff.bound(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(backoff.bound(2)).isEqualTo(Duration.ofMillis(200));
    assertThat(backoff.bound(3)).isEqualTo(Duration.ofMillis(250));
    assertThat(sleeper.pauses).hasSize(3);
    for (int attempt = 1; attempt <= 3; attempt++) {
      assertThat(sleeper.pauses.get(attempt - 1)).isBetween(Duration.ZERO, backoff.bound(attempt));
    }
  }

  @Test
  void attemptsRunOutWithTheLastFailure() {
    AtomicInteger calls = new AtomicInteger();
    FerryException failure = catchThrowableOfType(FerryException.class, () -> backoff.call(() -> {
      calls.incrementAndGet();
      throw new FerryException(ErrorCode.CLOUD_UNAVAILABLE, "503");
    }));
    assertThat(failure.code()).isEqualTo(ErrorCode.CLOUD_UNAVAILABLE);
    assertThat(calls).hasValue(4);
  }

  @Test
  void nonRetryableFailuresAreNotRetried() {
    AtomicInteger calls = new AtomicInteger();
    FerryException failure = catchThrowableOfType(FerryException.class, () -> backoff.call(() -> {
      calls.incrementAndGet();
      throw new FerryException(ErrorCode.CLOUD_PERMISSION_DENIED, "no");
    }));
    assertThat(failure.code()).isEqualTo(ErrorCode.CLOUD_PERMISSION_DENIED);
    assertThat(calls).hasValue(1);
    assertThat(sleeper.pauses).isEmpty();
  }
}
