package io.ferry.systemmanager.internal.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferry.orchestrator.AgentChannel;
import io.ferry.systemmanager.internal.web.ApiErrorCode;
import io.ferry.systemmanager.internal.web.ApiException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The server side of the helper-mode protocol (see guest-agent/README.md), for the guest agent on
 * a job's helper, authenticated by that job's token only ({@link AgentSecurityConfiguration}). A
 * token of another job answers 404, as an unknown job does.
 */
@RestController
public class AgentController {

  /** What the agent posts while an instruction runs. */
  public record ProgressRequest(
      @NotBlank @Size(max = 100) String instructionId,
      @NotBlank @Pattern(regexp = "RUNNING|SUCCEEDED|FAILED") String state,
      @Size(max = 2000) String message,
      Long bytesDone,
      Long bytesTotal) {}

  /** An agent's error. */
  public record AgentError(@NotBlank @Size(max = 50) String code, boolean retryable, @Size(max = 4000) String message) {}

  /** What the agent posts when an instruction ended. */
  public record ReportRequest(
      @NotBlank @Size(max = 100) String instructionId,
      @NotBlank @Pattern(regexp = "SUCCEEDED|FAILED") String state,
      JsonNode report,
      @Valid AgentError error) {}

  private final AgentChannel channel;

  public AgentController(AgentChannel channel) {
    this.channel = channel;
  }

  /** The instructions to run: 200 with {@code instructions} and {@code done}; 204 when there is nothing yet. */
  @GetMapping("/api/v1/agent/jobs/{job}/instructions")
  public ResponseEntity<Map<String, Object>> instructions(@PathVariable String job,
      @AuthenticationPrincipal AgentChannel.Caller caller) {
    requireOwnJob(job, caller);
    AgentChannel.Pending pending = channel.pending(job);
    if (pending.instructions().isEmpty() && !pending.done()) {
      return ResponseEntity.noContent().build();
    }
    List<ObjectNode> payloads = pending.instructions().stream().map(AgentChannel.Instruction::payload).toList();
    return ResponseEntity.ok(Map.of("instructions", payloads, "done", pending.done()));
  }

  @PostMapping("/api/v1/agent/jobs/{job}/progress")
  public ResponseEntity<Void> progress(@PathVariable String job, @AuthenticationPrincipal AgentChannel.Caller caller,
      @Valid @RequestBody ProgressRequest request) {
    requireOwnJob(job, caller);
    long done = request.bytesDone() == null ? -1 : request.bytesDone();
    long total = request.bytesTotal() == null ? -1 : request.bytesTotal();
    if (!channel.progress(job, request.instructionId(), request.message(), done, total)) {
      throw noInstruction(request.instructionId());
    }
    return ResponseEntity.noContent().build();
  }

  @PostMapping("/api/v1/agent/jobs/{job}/reports")
  public ResponseEntity<Void> report(@PathVariable String job, @AuthenticationPrincipal AgentChannel.Caller caller,
      @Valid @RequestBody ReportRequest request) {
    requireOwnJob(job, caller);
    boolean failed = request.state().equals("FAILED");
    if (failed && request.error() == null) {
      throw ApiException.invalidField("error", "a FAILED report names its error");
    }
    boolean found = failed
        ? channel.report(job, request.instructionId(), null, request.error().code(), request.error().retryable(),
            request.error().message())
        : channel.report(job, request.instructionId(), request.report(), null, false, null);
    if (!found) {
      throw noInstruction(request.instructionId());
    }
    return ResponseEntity.noContent().build();
  }

  /** The manifest of the job's bundle (JSON, as stored). */
  @GetMapping("/api/v1/agent/jobs/{job}/bundle/manifest")
  public ResponseEntity<byte[]> manifest(@PathVariable String job, @AuthenticationPrincipal AgentChannel.Caller caller)
      throws IOException {
    requireOwnJob(job, caller);
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(channel.manifest(job));
  }

  /** One compressed chunk (a zstd frame, as stored) of the job's bundle; 404 for chunks of other bundles. */
  @GetMapping("/api/v1/agent/jobs/{job}/bundle/chunks/{sha256}")
  public ResponseEntity<byte[]> chunk(@PathVariable String job, @PathVariable String sha256,
      @AuthenticationPrincipal AgentChannel.Caller caller) throws IOException {
    requireOwnJob(job, caller);
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM).body(channel.chunk(job, sha256));
  }

  private static void requireOwnJob(String job, AgentChannel.Caller caller) {
    if (caller == null || !caller.jobId().equals(job)) {
      throw new ApiException(HttpStatus.NOT_FOUND, ApiErrorCode.NOT_FOUND, "no job " + job + " for this token");
    }
  }

  private static ApiException noInstruction(String id) {
    return new ApiException(HttpStatus.NOT_FOUND, ApiErrorCode.NOT_FOUND, "no instruction " + id + " in this job");
  }
}
