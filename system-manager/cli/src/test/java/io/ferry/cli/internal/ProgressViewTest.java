package io.ferry.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ProgressViewTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MIB = 1024 * 1024;

  private static JsonNode migration(String state, String step, int percent, Long bytesDone, Long bytesTotal) throws Exception {
    String stepJson = bytesDone == null
        ? "{\"name\":\"" + step + "\",\"state\":\"RUNNING\"}"
        : "{\"name\":\"" + step + "\",\"state\":\"RUNNING\",\"bytesDone\":" + bytesDone + ",\"bytesTotal\":" + bytesTotal + "}";
    return JSON.readTree("{\"id\":\"m\",\"state\":\"" + state + "\",\"currentStep\":\"" + step + "\",\"progressPercent\":"
        + percent + ",\"steps\":[{\"name\":\"PLAN\",\"state\":\"SUCCEEDED\"}," + stepJson + "]}");
  }

  @Test
  void plainLinesOnlyWhenStateStepOrTenthChanges() throws Exception {
    ProgressView view = new ProgressView();
    assertThat(view.line(migration("RUNNING", "EXPORT", 12, 10 * MIB, 100 * MIB)))
        .hasValue("RUNNING     12%  step EXPORT  10.0 MiB / 100 MiB");
    assertThat(view.line(migration("RUNNING", "EXPORT", 15, 15 * MIB, 100 * MIB))).isEmpty();
    assertThat(view.line(migration("RUNNING", "EXPORT", 21, 21 * MIB, 100 * MIB))).isPresent();
    assertThat(view.line(migration("RUNNING", "STRIP", 21, null, null))).hasValue("RUNNING     21%  step STRIP");
    assertThat(view.line(migration("SUCCEEDED", "CLEANUP", 100, null, null))).hasValue("SUCCEEDED  100%");
  }

  @Test
  void barShowsBytesSpeedAndEtaAndWipesALongerPreviousBar() throws Exception {
    ProgressView view = new ProgressView();
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    String first = view.bar(migration("RUNNING", "EXPORT", 50, 0L, 100 * MIB), start);
    assertThat(first).startsWith("\r[############------------]  50% EXPORT  0 B / 100 MiB");
    String second = view.bar(migration("RUNNING", "EXPORT", 60, 20 * MIB, 100 * MIB), start.plusSeconds(2));
    assertThat(second).contains("20.0 MiB / 100 MiB  10.0 MiB/s  ETA 8s");
    String third = view.bar(migration("RUNNING", "STRIP", 70, null, null), start.plusSeconds(3));
    assertThat(third.strip()).isEqualTo("[################--------]  70% STRIP");
    assertThat(third.length()).isEqualTo(second.length());
  }

  @Test
  void finishedStatesEndTheWait() {
    assertThat(ProgressView.finished("SUCCEEDED")).isTrue();
    assertThat(ProgressView.finished("FAILED")).isTrue();
    assertThat(ProgressView.finished("CANCELLED")).isTrue();
    assertThat(ProgressView.finished("CANCELLING")).isFalse();
    assertThat(ProgressView.finished("QUEUED")).isFalse();
  }

  @Test
  void stepBytesComeFromTheReport() throws Exception {
    JsonNode merged = MigrateCommand.withStepBytes(migration("RUNNING", "EXPORT", 30, null, null),
        JSON.readTree("{\"steps\":[{\"name\":\"EXPORT\",\"bytesDone\":5,\"bytesTotal\":10}]}"));
    assertThat(merged.path("steps").get(1).path("bytesDone").asLong()).isEqualTo(5);
    assertThat(merged.path("steps").get(1).path("bytesTotal").asLong()).isEqualTo(10);
    assertThat(merged.path("steps").get(0).has("bytesDone")).isFalse();
  }
}
