package io.ferry.orchestrator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {

  @Test
  void doublesPerAttemptUpToTheMaximum() {
    Duration base = Duration.ofSeconds(5);
    Duration max = Duration.ofMinutes(1);
    assertThat(MigrationTask.backoff(1, base, max)).isEqualTo(Duration.ofSeconds(5));
    assertThat(MigrationTask.backoff(2, base, max)).isEqualTo(Duration.ofSeconds(10));
    assertThat(MigrationTask.backoff(4, base, max)).isEqualTo(Duration.ofSeconds(40));
    assertThat(MigrationTask.backoff(5, base, max)).isEqualTo(max);
    assertThat(MigrationTask.backoff(1000, base, max)).as("no overflow").isEqualTo(max);
  }

  @Test
  void attemptsCountFromOne() {
    assertThatThrownBy(() -> MigrationTask.backoff(0, Duration.ofSeconds(1), Duration.ofSeconds(2)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
