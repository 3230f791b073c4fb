package io.ferry.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Shows a migration's progress: a redrawn bar on a terminal, or in CI logs one plain line each
 * time the state or step changes or another tenth of the work is done.
 */
final class ProgressView {

  static final int BAR_WIDTH = 24;

  private String lastState;
  private String lastStep;
  private int lastTenth = -1;
  private long lastBytes = -1;
  private Instant lastBytesAt;
  private double speed;
  private int lastBarLength;

  /** The plain line to log for this status, or empty when nothing worth a line changed. */
  Optional<String> line(JsonNode migration) {
    String state = migration.path("state").asText();
    String step = migration.path("currentStep").asText("");
    int percent = migration.path("progressPercent").asInt();
    int tenth = percent / 10;
    if (state.equals(lastState) && step.equals(lastStep) && tenth == lastTenth) {
      return Optional.empty();
    }
    lastState = state;
    lastStep = step;
    lastTenth = tenth;
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-10s %3d%%", state, percent));
    if (!step.isEmpty() && !finished(state)) {
      line.append("  step ").append(step);
      stepBytes(migration, step).ifPresent(bytes -> line.append("  ").append(bytes));
    }
    return Optional.of(line.toString());
  }

  /** The bar for this status, starting with a carriage return and padded to wipe the last one. */
  String bar(JsonNode migration, Instant now) {
    String state = migration.path("state").asText();
    String step = migration.path("currentStep").asText("");
    int percent = Math.max(0, Math.min(100, migration.path("progressPercent").asInt()));
    int filled = percent * BAR_WIDTH / 100;
    StringBuilder text = new StringBuilder("\r[")
        .append("#".repeat(filled)).append("-".repeat(BAR_WIDTH - filled)).append("] ")
        .append(String.format(Locale.ROOT, "%3d%% ", percent))
        .append(finished(state) || step.isEmpty() ? state : step);
    JsonNode current = currentStep(migration, step);
    if (current != null && current.hasNonNull("bytesDone")) {
      long done = current.path("bytesDone").asLong();
      long total = current.path("bytesTotal").asLong(-1);
      updateSpeed(done, now);
      text.append("  ").append(Formats.bytes(done));
      if (total > 0) {
        text.append(" / ").append(Formats.bytes(total));
      }
      if (speed > 0) {
        text.append("  ").append(Formats.bytes((long) speed)).append("/s");
      }
      Duration eta = current.hasNonNull("etaSeconds")
          ? Duration.ofSeconds(current.path("etaSeconds").asLong())
          : speed > 0 && total > done ? Duration.ofSeconds((long) ((total - done) / speed)) : null;
      if (eta != null) {
        text.append("  ETA ").append(Formats.duration(eta));
      }
    }
    int length = text.length();
    if (length < lastBarLength) {
      text.append(" ".repeat(lastBarLength - length));
    }
    lastBarLength = length;
    return text.toString();
  }

  private void updateSpeed(long bytesDone, Instant now) {
    if (lastBytesAt != null && bytesDone >= lastBytes && now.isAfter(lastBytesAt)) {
      double seconds = Duration.between(lastBytesAt, now).toMillis() / 1000.0;
      double sample = (bytesDone - lastBytes) / seconds;
      speed = speed <= 0 ? sample : 0.7 * speed + 0.3 * sample;
    } else if (bytesDone < lastBytes) {
      speed = 0;
    }
    lastBytes = bytesDone;
    lastBytesAt = now;
  }

  private static Optional<String> stepBytes(JsonNode migration, String step) {
    JsonNode current = currentStep(migration, step);
    if (current == null || !current.hasNonNull("bytesDone")) {
      return Optional.empty();
    }
    long total = current.path("bytesTotal").asLong(-1);
    String done = Formats.bytes(current.path("bytesDone").asLong());
    return Optional.of(total > 0 ? done + " / " + Formats.bytes(total) : done);
  }

  private static JsonNode currentStep(JsonNode migration, String step) {
    for (JsonNode candidate : migration.path("steps")) {
      if (candidate.path("name").asText().equals(step)) {
        return candidate;
      }
    }
    return null;
  }

  static boolean finished(String state) {
    return "SUCCEEDED".equals(state) || "FAILED".equals(state) || "CANCELLED".equals(state);
  }
}
