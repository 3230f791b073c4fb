package io.ferry.systemmanager.internal.migration;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.orchestrator.MigrationStatus;
import io.ferry.orchestrator.Orchestrator;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/migrations/{id}/report}: the step log and the change report of a migration as
 * the orchestrator recorded them: per step its attempts, bytes, times, last error and result (for
 * STRIP and INJECT the guest agent's report of what it removed and added). Without the in-process
 * workflow, or before the job is known to it, the steps come from the migration row alone.
 */
@RestController
public class MigrationReportController {

  /**
   * One step of the report.
   *
   * @param result what the step produced, such as the guest agent's report (JSON), or null
   */
  public record StepReport(String name, String state, int attempts, long bytesDone, long bytesTotal,
      String errorCode, String errorMessage, Instant startedAt, Instant finishedAt, JsonNode result) {}

  /** The report of a migration. */
  public record MigrationReport(String migrationId, String state, String errorCode, String errorMessage,
      String errorStep, String bundleId, String diskDigest, String resultImageId, String resultLocation,
      List<StepReport> steps) {}

  private final MigrationService migrations;
  private final ObjectProvider<Orchestrator> orchestrator;
  private final ObjectMapper json;

  public MigrationReportController(MigrationService migrations, ObjectProvider<Orchestrator> orchestrator,
      ObjectMapper json) {
    this.migrations = migrations;
    this.orchestrator = orchestrator;
    this.json = json;
  }

  @GetMapping("/api/v1/migrations/{id}/report")
  public MigrationReport report(@PathVariable UUID id) {
    Migration migration = migrations.get(id); // 404 for unknown migrations and other tenants'
    Orchestrator workflow = orchestrator.getIfAvailable();
    Optional<MigrationStatus> status = workflow == null ? Optional.empty() : workflow.status(id.toString());
    if (status.isEmpty()) {
      return new MigrationReport(id.toString(), migration.state().name(), migration.errorCode(),
          migration.errorMessage(), null, null, null, null, null,
          migration.steps().stream()
              .map(step -> new StepReport(step.name().name(), step.state().name(), 0, 0, -1, null, null,
                  step.startedAt(), step.finishedAt(), null))
              .toList());
    }
    MigrationStatus job = status.get();
    return new MigrationReport(id.toString(), migration.state().name(), job.errorCode(), job.errorMessage(),
        job.errorStep() == null ? null : job.errorStep().name(), job.bundleId(), job.diskDigest(),
        job.resultImageId(), job.resultLocation(),
        job.steps().stream()
            .map(step -> new StepReport(step.name().name(), step.state().name(), step.attempts(), step.bytesDone(),
                step.bytesTotal(), step.errorCode(), step.errorMessage(), step.startedAt(), step.finishedAt(),
                parse(step.result())))
            .toList());
  }

  /** The step's result as JSON; text that is not JSON is returned as a string. */
  private JsonNode parse(String result) {
    if (result == null || result.isBlank()) {
      return null;
    }
    try {
      return json.readTree(result);
    } catch (JsonProcessingException notJson) {
      return json.getNodeFactory().textNode(result);
    }
  }
}
