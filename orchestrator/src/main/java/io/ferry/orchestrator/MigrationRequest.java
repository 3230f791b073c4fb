package io.ferry.orchestrator;

import java.util.Map;
import java.util.Objects;

/**
 * One migration as the system manager hands it over: ids only, never credentials. The orchestrator
 * loads the accounts' configuration itself when it runs the job.
 *
 * @param migrationId the system manager's id of the migration (also the job tag)
 * @param tenantId the tenant that owns it
 * @param sourceAccountId the cloud account the image comes from
 * @param sourceImageId the cloud's id of the source image
 * @param targetAccountId the cloud account the image goes to
 * @param options further options, such as the target image's name
 */
public record MigrationRequest(
    String migrationId,
    String tenantId,
    String sourceAccountId,
    String sourceImageId,
    String targetAccountId,
    Map<String, String> options) {

  public MigrationRequest {
    Objects.requireNonNull(migrationId, "migrationId");
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(sourceAccountId, "sourceAccountId");
    Objects.requireNonNull(sourceImageId, "sourceImageId");
    Objects.requireNonNull(targetAccountId, "targetAccountId");
    options = Map.copyOf(options == null ? Map.of() : options);
  }
}
