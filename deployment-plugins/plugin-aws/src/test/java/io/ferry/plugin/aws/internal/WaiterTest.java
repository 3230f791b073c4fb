package io.ferry.plugin.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WaiterTest {

  /** A clock tests move forward by hand. */
  static final class MovingClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void returnsTheValueOnceThePollHasOne() {
    MovingClock clock = new MovingClock();
    RecordingSleeper sleeper = new RecordingSleeper(() -> clock.now = clock.now.plusSeconds(5));
    Waiter waiter = new Waiter(clock, sleeper, Duration.ofMinutes(10), Duration.ofSeconds(5));
    AtomicInteger polls = new AtomicInteger();
    String state = waiter.until("a snapshot", () -> polls.incrementAndGet() < 3 ? Optional.empty() : Optional.of("completed"));
    assertThat(state).isEqualTo("completed");
    assertThat(sleeper.pauses).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(5));
  }

  @Test
  void theClockDeadlineEndsTheWait() {
    MovingClock clock = new MovingClock();
    RecordingSleeper sleeper = new RecordingSleeper(() -> clock.now = clock.now.plusSeconds(60));
    Waiter waiter = new Waiter(clock, sleeper, Duration.ofMinutes(5), Duration.ofSeconds(1));
    FerryException failure = catchThrowableOfType(FerryException.class, () -> waiter.until("volume vol-1", Optional::empty));
    assertThat(failure.code()).isEqualTo(ErrorCode.TIMEOUT);
    assertThat(failure.getMessage()).contains("volume vol-1");
    assertThat(sleeper.pauses).hasSize(5);
  }

  @Test
  void aClockThatStandsStillCannotMakeTheWaitEndless() {
    Clock fixed = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    RecordingSleeper sleeper = new RecordingSleeper();
    Waiter waiter = new Waiter(fixed, sleeper, Duration.ofSeconds(30), Duration.ZERO);
    FerryException failure = catchThrowableOfType(FerryException.class, () -> waiter.until("an image", Optional::empty));
    assertThat(failure.code()).isEqualTo(ErrorCode.TIMEOUT);
    assertThat(sleeper.pauses).hasSize(30);
  }

  @Test
  void aPollThatGivesUpStopsTheWait() {
    Waiter waiter = new Waiter(new MovingClock(), new RecordingSleeper(), Duration.ofMinutes(1), Duration.ofSeconds(1));
    FerryException failure = catchThrowableOfType(FerryException.class, () -> waiter.until("x", () -> {
      throw new FerryException(ErrorCode.CLOUD_REQUEST_REJECTED, "snapshot in state error");
    }));
    assertThat(failure.code()).isEqualTo(ErrorCode.CLOUD_REQUEST_REJECTED);
  }
}
