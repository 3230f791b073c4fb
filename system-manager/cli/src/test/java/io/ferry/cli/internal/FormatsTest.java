package io.ferry.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class FormatsTest {

  @Test
  void bytesInBinaryUnits() {
    assertThat(Formats.bytes(0)).isEqualTo("0 B");
    assertThat(Formats.bytes(1536)).isEqualTo("1.50 KiB");
    assertThat(Formats.bytes(4L << 20)).isEqualTo("4.00 MiB");
    assertThat(Formats.bytes(300L << 30)).isEqualTo("300 GiB");
    assertThat(Formats.bytes(-1)).isEqualTo("?");
  }

  @Test
  void durationsShort() {
    assertThat(Formats.duration(Duration.ofSeconds(42))).isEqualTo("42s");
    assertThat(Formats.duration(Duration.ofSeconds(185))).isEqualTo("3m05s");
    assertThat(Formats.duration(Duration.ofMinutes(62))).isEqualTo("1h02m");
  }

  @Test
  void timeoutsInSeveralSpellings() {
    assertThat(MigrateCommand.parseDuration("45s")).isEqualTo(Duration.ofSeconds(45));
    assertThat(MigrateCommand.parseDuration("90m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(MigrateCommand.parseDuration("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(MigrateCommand.parseDuration("PT1H30M")).isEqualTo(Duration.ofMinutes(90));
    assertThatThrownBy(() -> MigrateCommand.parseDuration("soon"))
        .isInstanceOf(CliException.class).hasMessageContaining("not a duration");
    assertThatThrownBy(() -> MigrateCommand.parseDuration("0s")).isInstanceOf(CliException.class);
  }
}
