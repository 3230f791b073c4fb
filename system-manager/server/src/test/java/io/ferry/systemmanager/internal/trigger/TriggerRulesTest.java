package io.ferry.systemmanager.internal.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TriggerRulesTest {

  @Test
  void globMatchesWholeNamesWithStarAndQuestionMarkOnly() {
    assertThat(MigrationTrigger.glob("web-*", "web-frontend")).isTrue();
    assertThat(MigrationTrigger.glob("web-*", "my-web-frontend")).isFalse();
    assertThat(MigrationTrigger.glob("web-?", "web-1")).isTrue();
    assertThat(MigrationTrigger.glob("web-?", "web-10")).isFalse();
    assertThat(MigrationTrigger.glob("a.b", "axb")).as("dots are literal").isFalse();
    assertThat(MigrationTrigger.glob("*", null)).isFalse();
  }

  @Test
  void latestDueIsTheLastCronTimeAfterTheLastEvaluationUpToNow() {
    Instant created = Instant.parse("2026-11-25T17:00:00Z");
    String nightly = "0 0 2 * * *";

    assertThat(TriggerEngine.latestDue(nightly, created, Instant.parse("2026-11-26T01:59:59Z"))).isNull();
    assertThat(TriggerEngine.latestDue(nightly, created, Instant.parse("2026-11-26T02:00:00Z")))
        .isEqualTo("2026-11-26T02:00:00Z");
    assertThat(TriggerEngine.latestDue(nightly, created, Instant.parse("2026-11-28T03:00:00Z")))
        .as("missed due times collapse into the latest").isEqualTo("2026-11-28T02:00:00Z");
    assertThat(TriggerEngine.latestDue(nightly, Instant.parse("2026-11-28T02:00:00Z"),
        Instant.parse("2026-11-28T03:00:00Z"))).as("already evaluated at that due time").isNull();
  }

  @Test
  void aScheduleIsNotLookedBackBeyondItsWindow() {
    Instant due = TriggerEngine.latestDue("* * * * * *", Instant.parse("2020-01-01T00:00:00Z"),
        Instant.parse("2026-11-25T17:00:00Z"));
    assertThat(due).isEqualTo("2026-11-25T17:00:00Z");
    assertThat(TriggerEngine.latestDue("0 0 0 1 1 *", Instant.parse("2020-01-01T00:00:00Z"),
        Instant.parse("2026-11-25T17:00:00Z"))).as("a yearly schedule's due time lies beyond the window").isNull();
  }
}
