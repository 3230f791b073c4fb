package io.ferry.orchestrator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferry.orchestrator.AgentChannel;
import io.ferry.orchestrator.AgentChannel.Instruction;
import io.ferry.orchestrator.AgentChannel.State;
import io.ferry.orchestrator.HelperModeSettings;
import io.ferry.orchestrator.StepName;
import io.ferry.orchestrator.internal.JobStore.Job;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.bundle.BundleManifest;
import io.ferry.standardization.spi.Capability;
import io.ferry.standardization.spi.CloudPlugin;
import io.ferry.standardization.spi.HelperRef;
import io.ferry.standardization.spi.HelperSpec;
import io.ferry.standardization.spi.JobTag;
import io.ferry.standardization.spi.VolumeRef;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The helper-mode halves of PREPARE_TARGET, RESTORE, INJECT, UPLOAD (which detaches in helper
 * mode) and CLEANUP: a helper VM in the target cloud runs the guest agent ({@code daemon}), which
 * polls the control plane for instructions through the {@link AgentChannel}. Every sub-step that
 * creates something is checkpointed right after, so a rerun never creates it twice; whatever a
 * crash leaves between creating and checkpointing carries the job's tag and goes in CLEANUP.
 */
final class HelperMode {

  /** The job option that chooses the mode: {@code direct} or {@code helper}. */
  static final String MODE_OPTION = "mode";

  /** The environment variable the helper's agent reads its token from. */
  static final String TOKEN_VARIABLE = "FERRY_AGENT_TOKEN";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final JobStore store;
  private final AgentChannel channel;
  private final HelperModeSettings settings;
  private final Clock clock;

  HelperMode(JobStore store, AgentChannel channel, HelperModeSettings settings, Clock clock) {
    this.store = store;
    this.channel = channel;
    this.settings = settings;
    this.clock = clock;
  }

  /**
   * The mode of a job: the one the job asks for ({@code mode} option), else direct when the target
   * uploads directly, else helper when it has helper mode.
   *
   * @throws FerryException UNSUPPORTED when the target offers neither (or not the one asked for),
   *     INVALID_REQUEST for an unknown mode or helper mode without a control-plane URL
   */
  static String chooseMode(String requested, Set<Capability> capabilities, String pluginId, URI controlPlane) {
    String mode = requested == null || requested.isBlank() ? null : requested.strip();
    if (mode == null) {
      if (capabilities.contains(Capability.DIRECT_UPLOAD)) {
        mode = "direct";
      } else if (capabilities.contains(Capability.HELPER_MODE)) {
        mode = "helper";
      } else {
        throw new FerryException(ErrorCode.UNSUPPORTED,
            "plugin " + pluginId + " has neither a direct upload nor helper mode; nothing can be written to it");
      }
    }
    switch (mode) {
      case "direct" -> {
        if (!capabilities.contains(Capability.DIRECT_UPLOAD)) {
          throw new FerryException(ErrorCode.UNSUPPORTED, "plugin " + pluginId + " has no direct upload (mode=direct)");
        }
      }
      case "helper" -> {
        if (!capabilities.contains(Capability.HELPER_MODE)) {
          throw new FerryException(ErrorCode.UNSUPPORTED, "plugin " + pluginId + " has no helper mode (mode=helper)");
        }
        if (controlPlane == null) {
          throw new FerryException(ErrorCode.INVALID_REQUEST, "helper mode needs the control plane's URL, which"
              + " helpers call; this orchestrator has none configured");
        }
      }
      default -> throw new FerryException(ErrorCode.INVALID_REQUEST,
          "unknown mode '" + mode + "' in the job's options; use direct or helper");
    }
    return mode;
  }

  /** The control plane's URL, or null. */
  URI controlPlane() {
    return settings.controlPlane().get();
  }

  /** PREPARE_TARGET: token and helper, volume, attachment, each checkpointed. */
  void prepareTarget(Job job, CloudPlugin target, JsonNode plan, BundleManifest manifest, StepContext context)
      throws IOException {
    JobTag tag = new JobTag(job.id());
    String saved = context.savedCheckpoint();
    ObjectNode state = saved == null ? JSON.createObjectNode() : (ObjectNode) JSON.readTree(saved);
    if (!state.hasNonNull("helperId")) {
      URI url = controlPlane();
      if (url == null) {
        throw new FerryException(ErrorCode.INVALID_REQUEST, "helper mode needs the control plane's URL");
      }
      channel.revokeTokens(job.id()); // a token an interrupted attempt gave a helper that CLEANUP will remove
      String token = channel.issueToken(job.id(), job.tenantId(), settings.tokenLifetime());
      String family = manifest.os().path("os").path("family").asText(null);
      HelperSpec spec = new HelperSpec(family, Steps.architecture(plan, manifest), bootstrap(url, job.id()),
          Map.of("env." + TOKEN_VARIABLE, token));
      HelperRef helper = target.launchHelper(spec, tag);
      state.put("helperId", helper.id());
      state.put("helperAddress", helper.address());
      context.checkpoint(state.toString());
    }
    context.check();
    if (!state.hasNonNull("volumeId")) {
      VolumeRef volume = target.createVolume(manifest.disk().virtualSize(), tag);
      state.put("volumeId", volume.id());
      state.put("volumeSize", volume.sizeBytes());
      context.checkpoint(state.toString());
    }
    context.check();
    if (!state.hasNonNull("device")) {
      String device = target.attachVolume(volume(state), new HelperRef(state.path("helperId").asText(),
          state.path("helperAddress").asText(null)));
      state.put("device", device);
      context.checkpoint(state.toString());
    }
    ObjectNode result = state.deepCopy();
    result.put("mode", "helper");
    result.put("virtualSize", manifest.disk().virtualSize());
    store.saveResult(job.id(), StepName.PREPARE_TARGET, result.toString());
  }

  /** RESTORE: the agent writes the bundle onto the attached volume. */
  void restore(Job job, JsonNode plan, StepContext context) throws IOException {
    JsonNode prepared = prepared(job);
    ObjectNode fields = JSON.createObjectNode();
    fields.put("image", prepared.path("device").asText());
    fields.put("bundleId", plan.path("bundleId").asText());
    store.saveResult(job.id(), StepName.RESTORE, await(job, "restore", fields, context).toString());
  }

  /** INJECT: the agent adds {@code layer} to the volume's root file system. */
  void inject(Job job, String layer, StepContext context) throws IOException {
    ObjectNode fields = JSON.createObjectNode();
    fields.put("image", prepared(job).path("device").asText());
    fields.put("cloud", layer);
    store.saveResult(job.id(), StepName.INJECT, await(job, "inject", fields, context).toString());
  }

  /**
   * UPLOAD in helper mode: the agent hashes the disk on the volume (the manifest's size: VERIFY
   * hashes as much of the registered image and requires the rest, the volume's rounding, to be
   * zeros) and stops, then the volume is detached.
   */
  void detach(Job job, CloudPlugin target, StepContext context) throws IOException {
    JsonNode prepared = prepared(job);
    ObjectNode fields = JSON.createObjectNode();
    fields.put("image", prepared.path("device").asText());
    fields.put("size", prepared.path("virtualSize").asLong());
    JsonNode digest = await(job, "digest", fields, context);
    String sha256 = digest.path("sha256").asText("");
    if (!sha256.matches("[0-9a-f]{64}")) {
      throw new FerryException(ErrorCode.INTERNAL, "the helper's digest report has no SHA-256: " + digest);
    }
    channel.finish(job.id());
    VolumeRef volume = volume(prepared);
    target.detachVolume(volume);
    store.setJobColumn(job.id(), "upload_id", volume.id());
    store.setJobColumn(job.id(), "disk_digest", sha256);
    store.saveResult(job.id(), StepName.UPLOAD, JSON.createObjectNode().put("mode", "helper")
        .put("volumeId", volume.id()).put("sha256", sha256).put("bytes", digest.path("bytes").asLong())
        .put("detached", true).toString());
  }

  /** CLEANUP: revokes the job's tokens (the helper and volume go with the job's tagged resources). */
  int revoke(Job job) {
    return channel.revokeTokens(job.id());
  }

  /**
   * Queues {@code operation} unless an earlier run of the step queued it and it has not failed,
   * then waits for the agent's report, checking cancel and the step's time limit and that the
   * helper is alive.
   */
  private JsonNode await(Job job, String operation, ObjectNode fields, StepContext context) throws IOException {
    List<Instruction> earlier =
        channel.instructions(job.id()).stream().filter(i -> i.operation().equals(operation)).toList();
    Instruction last = earlier.isEmpty() ? null : earlier.get(earlier.size() - 1);
    if (last != null && last.state() == State.SUCCEEDED) {
      return report(last);
    }
    String id = last != null && !last.state().finished() ? last.id() : operation + "-" + (earlier.size() + 1);
    channel.queue(job.id(), id, operation, fields);
    Instant waitingSince = clock.instant();
    while (true) {
      Instruction current = channel.instruction(job.id(), id)
          .orElseThrow(() -> new FerryException(ErrorCode.INTERNAL, "instruction " + id + " vanished"));
      if (current.state() == State.SUCCEEDED) {
        return report(current);
      }
      if (current.state() == State.FAILED) {
        throw failure(current);
      }
      if (current.bytesTotal() > 0) {
        context.progress(Math.min(current.bytesDone(), current.bytesTotal()), current.bytesTotal());
      } else {
        context.check();
      }
      Instant now = clock.instant();
      Instant seen = channel.lastSeen(job.id()).filter(waitingSince::isBefore).orElse(waitingSince);
      if (Duration.between(seen, now).compareTo(settings.silenceLimit()) > 0) {
        throw new FerryException(ErrorCode.HOST_OPERATION_FAILED, "the helper's agent has not called the control"
            + " plane for more than " + settings.silenceLimit() + " while instruction " + id + " was "
            + current.state().name().toLowerCase() + "; the helper is taken for dead");
      }
      try {
        Thread.sleep(Math.max(50, Math.min(settings.pollInterval().toMillis(), 1000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new FerryException(ErrorCode.CANCELLED, "interrupted while waiting for the helper's " + operation);
      }
    }
  }

  private static JsonNode report(Instruction instruction) throws IOException {
    return instruction.report() == null ? JSON.createObjectNode() : JSON.readTree(instruction.report());
  }

  /** The failure an agent reported, with its code (and so its retryability). */
  static FerryException failure(Instruction instruction) {
    ErrorCode code;
    try {
      code = ErrorCode.valueOf(instruction.errorCode());
    } catch (IllegalArgumentException | NullPointerException e) {
      code = ErrorCode.INTERNAL;
    }
    return new FerryException(code, "the helper's agent failed " + instruction.operation() + " (instruction "
        + instruction.id() + "): " + instruction.errorCode() + ": " + instruction.errorMessage());
  }

  /** The helper's command line (one argument a line; the token travels in the environment). */
  String bootstrap(URI controlPlane, String jobId) {
    long pollSeconds = Math.max(1, settings.pollInterval().toSeconds());
    return String.join("\n", "daemon", "--control-plane", controlPlane.toString(), "--job", jobId,
        "--poll-seconds", Long.toString(pollSeconds)) + "\n";
  }

  private JsonNode prepared(Job job) throws IOException {
    String result = store.result(job.id(), StepName.PREPARE_TARGET);
    if (result == null) {
      throw new FerryException(ErrorCode.INTERNAL, "job " + job.id() + " has no prepared helper");
    }
    return JSON.readTree(result);
  }

  private static VolumeRef volume(JsonNode state) {
    return new VolumeRef(state.path("volumeId").asText(), state.path("volumeSize").asLong());
  }
}
