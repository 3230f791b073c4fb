package io.ferry.systemmanager.internal.migration;

import io.ferry.systemmanager.internal.web.PageResponse;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Migrations: create, read, list with filters, cancel. */
@RestController
@RequestMapping("/api/v1/migrations")
public class MigrationController {

  /**
   * A migration to start.
   *
   * @param options further options, such as {@code targetImageName}
   */
  public record CreateMigrationRequest(
      @NotNull UUID sourceAccountId,
      @NotBlank @Size(max = 500) String sourceImageId,
      @NotNull UUID targetAccountId,
      @Size(max = 50) Map<@NotBlank @Size(max = 100) String, @NotNull @Size(max = 1000) String> options) {}

  /** One step as the API shows it. */
  public record StepView(String name, String state, Instant startedAt, Instant finishedAt) {}

  /** A migration as the API shows it. */
  public record MigrationView(
      UUID id, UUID sourceAccountId, String sourceImageId, UUID targetAccountId, Map<String, String> options,
      String state, String currentStep, int progressPercent, String errorCode, String errorMessage, String createdBy,
      Instant createdAt, Instant updatedAt, Instant finishedAt, List<StepView> steps) {
    static MigrationView of(Migration migration) {
      return new MigrationView(migration.id(), migration.sourceAccountId(), migration.sourceImageId(),
          migration.targetAccountId(), migration.options(), migration.state().name(),
          migration.currentStep() == null ? null : migration.currentStep().name(), migration.progressPercent(),
          migration.errorCode(), migration.errorMessage(), migration.createdBy(), migration.createdAt(),
          migration.updatedAt(), migration.finishedAt(),
          migration.steps().stream()
              .map(step -> new StepView(step.name().name(), step.state().name(), step.startedAt(), step.finishedAt()))
              .toList());
    }
  }

  private final MigrationService migrations;

  public MigrationController(MigrationService migrations) {
    this.migrations = migrations;
  }

  @PostMapping
  public ResponseEntity<MigrationView> create(@Valid @RequestBody CreateMigrationRequest request) {
    Migration migration = migrations.create(request.sourceAccountId(), request.sourceImageId(),
        request.targetAccountId(), request.options());
    return ResponseEntity.created(URI.create("/api/v1/migrations/" + migration.id())).body(MigrationView.of(migration));
  }

  @GetMapping("/{id}")
  public MigrationView get(@PathVariable UUID id) {
    return MigrationView.of(migrations.get(id));
  }

  @GetMapping
  public PageResponse<MigrationView> list(
      @RequestParam(required = false) MigrationState state,
      @RequestParam(required = false) UUID sourceAccountId,
      @RequestParam(required = false) UUID targetAccountId,
      @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant createdFrom,
      @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant createdTo,
      @RequestParam(defaultValue = "0") @Min(0) int page,
      @RequestParam(defaultValue = "20") @Min(1) @Max(200) int size) {
    MigrationService.Filter filter =
        new MigrationService.Filter(state, sourceAccountId, targetAccountId, createdFrom, createdTo);
    return PageResponse.of(
        migrations.list(filter, PageRequest.of(page, size, Sort.by(Sort.Order.desc("createdAt"), Sort.Order.asc("id")))),
        MigrationView::of);
  }

  @PostMapping("/{id}/cancel")
  public MigrationView cancel(@PathVariable UUID id) {
    return MigrationView.of(migrations.cancel(id));
  }
}
