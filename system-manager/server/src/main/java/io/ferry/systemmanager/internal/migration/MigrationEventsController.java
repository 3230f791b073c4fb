package io.ferry.systemmanager.internal.migration;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.orchestrator.MigrationStatus;
import io.ferry.orchestrator.Orchestrator;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/migrations/{id}/events}: server-sent events of a migration's progress. The
 * job's state is read from the orchestrator's tables every half second (so progress of workers in
 * other processes shows too) and sent as a {@code progress} event whenever it changed; a final
 * {@code end} event closes the stream. While the orchestrator does not have the job yet (the
 * migration waits for approval) the migration's row is read instead, and a rejected migration's
 * stream ends. Without the real orchestrator, one {@code end} event with the migration's recorded
 * state is sent. The stream is written on the request's thread (no async
 * dispatch), for at most two hours; a client that goes away ends it at the next write.
 */
@RestController
@RequestMapping("/api/v1/migrations")
public class MigrationEventsController {

  /** One step in an event. */
  public record StepProgress(String name, String state, int attempts, long bytesDone, long bytesTotal,
      Long etaSeconds, String errorCode, String errorMessage) {}

  /** The payload of every event. */
  public record Progress(String migrationId, String state, String currentStep, int progressPercent,
      String errorCode, String errorMessage, String resultImageId, List<StepProgress> steps) {}

  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
  private static final Duration STREAM_LIMIT = Duration.ofHours(2);

  private final MigrationService migrations;
  private final ObjectProvider<Orchestrator> orchestrator;
  private final ObjectMapper json;

  public MigrationEventsController(MigrationService migrations, ObjectProvider<Orchestrator> orchestrator,
      ObjectMapper json) {
    this.migrations = migrations;
    this.orchestrator = orchestrator;
    this.json = json;
  }

  @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  public void events(@PathVariable UUID id, HttpServletResponse response) throws IOException, InterruptedException {
    Migration migration = migrations.get(id); // 404 for unknown migrations and other tenants'
    response.setContentType(MediaType.TEXT_EVENT_STREAM_VALUE);
    response.setCharacterEncoding(StandardCharsets.UTF_8.name());
    response.setHeader("Cache-Control", "no-cache");
    PrintWriter writer = response.getWriter();
    Orchestrator workflow = orchestrator.getIfAvailable();
    if (workflow == null) {
      send(writer, "end", progress(migration));
      return;
    }
    Instant deadline = Instant.now().plus(STREAM_LIMIT);
    Instant lastWrite = Instant.now();
    Progress last = null;
    while (Instant.now().isBefore(deadline)) {
      Optional<MigrationStatus> status = workflow.status(id.toString());
      // Before the orchestrator has the job (waiting for approval) and when it never will
      // (rejected), the migration's own row tells the state.
      Migration row = status.isPresent() ? null : migrations.get(id);
      Progress progress = status.isPresent() ? progress(status.get()) : progress(row);
      if (status.isPresent() ? status.get().state().finished() : row.state().finished()) {
        send(writer, "end", progress);
        return;
      }
      if (!Objects.equals(progress, last)) {
        send(writer, "progress", progress);
        last = progress;
        lastWrite = Instant.now();
      }
      if (Duration.between(lastWrite, Instant.now()).compareTo(KEEP_ALIVE) >= 0) {
        writer.write(": keep-alive\n\n");
        writer.flush();
        lastWrite = Instant.now();
      }
      if (writer.checkError()) {
        return; // the client went away
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  private void send(PrintWriter writer, String event, Progress progress) throws IOException {
    writer.write("event: " + event + "\ndata: " + json.writeValueAsString(progress) + "\n\n");
    writer.flush();
  }

  private static Progress progress(Migration migration) {
    return new Progress(migration.id().toString(), migration.state().name(),
        migration.currentStep() == null ? null : migration.currentStep().name(), migration.progressPercent(),
        migration.errorCode(), migration.errorMessage(), null, List.of());
  }

  private static Progress progress(MigrationStatus status) {
    return new Progress(status.jobId(), status.state().name(),
        status.currentStep() == null ? null : status.currentStep().name(), status.progressPercent(),
        status.errorCode(), status.errorMessage(), status.resultImageId(),
        status.steps().stream().map(step -> new StepProgress(step.name().name(), step.state().name(), step.attempts(),
            step.bytesDone(), step.bytesTotal(), step.etaSeconds(), step.errorCode(), step.errorMessage())).toList());
  }
}
