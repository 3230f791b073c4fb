package io.ferry.agent.layer;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Everything one agent run changed (or, in a dry run, would change).
 *
 * @param runId the run's id, also the name of its backup area
 * @param operation strip, inject or undo
 * @param cloud the source (strip) or target (inject) cloud id; for undo the undone run
 * @param dryRun whether nothing was actually changed
 * @param startedAt when the run started (ISO-8601)
 * @param system what was detected before the run
 * @param changes every change in the order it was made
 * @param backupArea the backup area inside the root, or null when nothing was kept
 * @param secretsDeleted how many secrets were deleted without any copy
 * @param secretPolicy the rule for secrets, stated in every report
 * @param notes what the agent did not change and why, and follow-ups (regenerate initramfs)
 * @param regenerations the guest tools run to rebuild the initramfs and boot loader configuration
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChangeReport(
    String runId,
    String operation,
    String cloud,
    boolean dryRun,
    String startedAt,
    SystemDescription system,
    List<Change> changes,
    String backupArea,
    int secretsDeleted,
    String secretPolicy,
    List<String> notes,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Regeneration> regenerations) {

  public ChangeReport {
    regenerations = regenerations == null ? List.of() : List.copyOf(regenerations);
  }

  /** The sentence every report carries about secrets. */
  public static final String SECRET_POLICY =
      "Secrets (private keys, SSH host keys, authorized_keys, provisioning data such as waagent's"
          + " ovf-env.xml, cloud-init instance data) are deleted and never copied to the backup"
          + " area or anywhere else; undo cannot restore them.";
}
