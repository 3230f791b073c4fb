package io.ferry.agent.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The helper-mode client: polls {@code GET {controlPlane}/api/v1/agent/jobs/{job}/instructions}
 * with the job-scoped bearer token, runs each new instruction once, and posts progress and the
 * report. Stops when the control plane answers {@code "done": true}, refuses the token, or no
 * longer knows the job.
 */
public final class DaemonClient {

  /** Runs one instruction and returns its report (serialized as JSON). */
  public interface Runner {
    Object run(Instruction instruction) throws Exception;
  }

  /** Runs one instruction, telling its progress, and returns its report (serialized as JSON). */
  public interface ProgressRunner {
    Object run(Instruction instruction, Progress progress) throws Exception;
  }

  /** Where a running instruction tells how far it is; sent with the next heartbeat. */
  public interface Progress {
    void update(long bytesDone, long bytesTotal, String message);
  }

  /** Waits between polls; tests pass one that does not sleep. */
  public interface Pause {
    void pause(Duration duration) throws InterruptedException;
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI controlPlane;
  private final String jobId;
  private final String token;
  private final ProgressRunner runner;
  private final Pause pause;
  private final Duration pollInterval;
  private final HttpClient http;
  private final Set<String> done = new HashSet<>();
  private final Map<String, ObjectNode> unreported = new HashMap<>();

  public DaemonClient(URI controlPlane, String jobId, String token, Runner runner, Pause pause, Duration pollInterval) {
    this(controlPlane, jobId, token, (instruction, progress) -> runner.run(instruction), pause, pollInterval);
  }

  /**
   * A client whose instructions tell their progress: while one runs, its latest progress is
   * posted every poll interval (at least every second), which also tells the control plane that
   * the helper is alive.
   */
  public DaemonClient(URI controlPlane, String jobId, String token, ProgressRunner runner, Pause pause,
      Duration pollInterval) {
    String base = controlPlane.toString();
    this.controlPlane = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
    this.jobId = jobId;
    this.token = token;
    this.runner = runner;
    this.pause = pause;
    this.pollInterval = pollInterval;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  /**
   * Polls until the job is done. Returns the number of instructions run.
   *
   * @throws FerryException CLOUD_AUTHENTICATION_FAILED when the token is refused, NOT_FOUND when
   *     the job is unknown, CLOUD_UNAVAILABLE after repeated server errors
   */
  public int run() throws InterruptedException {
    int failures = 0;
    int maxFailures = maxFailures(pollInterval);
    while (true) {
      HttpResponse<String> response;
      try {
        response = http.send(request("/instructions").GET().build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        if (++failures > maxFailures) {
          throw new FerryException(ErrorCode.CLOUD_UNAVAILABLE, "control plane unreachable: " + e.getMessage(), e);
        }
        pause.pause(pollInterval);
        continue;
      }
      int status = response.statusCode();
      if (status == 401 || status == 403) {
        throw new FerryException(ErrorCode.CLOUD_AUTHENTICATION_FAILED,
            "the control plane refused the job token for job " + jobId + " (HTTP " + status + ")");
      }
      if (status == 404) {
        throw new FerryException(ErrorCode.NOT_FOUND, "the control plane does not know job " + jobId);
      }
      if (status >= 500) {
        if (++failures > maxFailures) {
          throw new FerryException(ErrorCode.CLOUD_UNAVAILABLE, "control plane answered HTTP " + status);
        }
        pause.pause(pollInterval);
        continue;
      }
      failures = 0;
      if (status == 204) {
        pause.pause(pollInterval);
        continue;
      }
      if (status != 200) {
        throw new FerryException(ErrorCode.INVALID_REQUEST, "unexpected HTTP " + status + " from the control plane");
      }
      JsonNode body;
      try {
        body = JSON.readTree(response.body());
      } catch (IOException e) {
        throw new FerryException(ErrorCode.INVALID_REQUEST, "instructions are not JSON: " + e.getMessage(), e);
      }
      boolean ranAny = false;
      for (JsonNode node : body.path("instructions")) {
        Instruction instruction;
        try {
          instruction = JSON.treeToValue(node, Instruction.class);
        } catch (IOException e) {
          throw new FerryException(ErrorCode.INVALID_REQUEST, "bad instruction: " + e.getMessage(), e);
        }
        if (instruction.id() == null) {
          continue;
        }
        if (!done.add(instruction.id())) {
          // Still listed: its report has not arrived (the control plane was away); send it again.
          ObjectNode report = unreported.get(instruction.id());
          if (report != null && post("/reports", report)) {
            unreported.remove(instruction.id());
          }
          continue;
        }
        ranAny = true;
        execute(instruction);
      }
      if (body.path("done").asBoolean(false)) {
        return done.size();
      }
      if (!ranAny) {
        pause.pause(pollInterval);
      }
    }
  }

  private void execute(Instruction instruction) throws InterruptedException {
    post("/progress", progress(instruction, "RUNNING", "started " + instruction.operation()));
    ObjectNode report = JSON.createObjectNode();
    report.put("instructionId", instruction.id());
    AtomicReference<ObjectNode> latest = new AtomicReference<>();
    Progress progress = (bytesDone, bytesTotal, message) -> {
      ObjectNode node = progress(instruction, "RUNNING", message);
      node.put("bytesDone", bytesDone);
      node.put("bytesTotal", bytesTotal);
      latest.set(node);
    };
    long heartbeat = Math.max(1000, pollInterval.toMillis());
    ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread thread = new Thread(task, "ferry-agent-heartbeat");
      thread.setDaemon(true);
      return thread;
    });
    heartbeats.scheduleAtFixedRate(() -> {
      ObjectNode node = latest.get();
      try {
        post("/progress", node != null ? node : progress(instruction, "RUNNING", "running " + instruction.operation()));
      } catch (InterruptedException | RuntimeException e) {
        // a heartbeat is best effort; the next one or the report follows
      }
    }, heartbeat, heartbeat, TimeUnit.MILLISECONDS);
    try {
      Object result = runner.run(instruction, progress);
      heartbeats.shutdownNow();
      report.put("state", "SUCCEEDED");
      report.set("report", JSON.valueToTree(result));
      postReport(report);
      post("/progress", progress(instruction, "SUCCEEDED", "finished " + instruction.operation()));
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      heartbeats.shutdownNow();
      ObjectNode error = report.putObject("error");
      error.put("code", e instanceof FerryException f ? f.code().name() : ErrorCode.INTERNAL.name());
      error.put("retryable", e instanceof FerryException f && f.retryable());
      error.put("message", String.valueOf(e.getMessage()));
      report.put("state", "FAILED");
      postReport(report);
      post("/progress", progress(instruction, "FAILED", String.valueOf(e.getMessage())));
    }
  }

  /**
   * Posts a report, retrying a few times; one that still does not arrive is kept and sent again
   * whenever a poll lists its instruction (the control plane lists it until its report arrives).
   */
  private void postReport(ObjectNode report) throws InterruptedException {
    for (int attempt = 1; attempt <= 3; attempt++) {
      if (post("/reports", report)) {
        return;
      }
      pause.pause(Duration.ofSeconds(attempt));
    }
    unreported.put(report.path("instructionId").asText(), report);
  }

  /**
   * Failed polls in a row before the daemon gives up: about ten minutes' worth (a control plane
   * restart is ridden out), at least 5.
   */
  static int maxFailures(Duration pollInterval) {
    long seconds = Math.max(1, pollInterval.toSeconds());
    return (int) Math.max(5, Duration.ofMinutes(10).toSeconds() / seconds);
  }

  private ObjectNode progress(Instruction instruction, String state, String message) {
    ObjectNode node = JSON.createObjectNode();
    node.put("instructionId", instruction.id());
    node.put("state", state);
    node.put("message", message);
    return node;
  }

  private boolean post(String path, JsonNode body) throws InterruptedException {
    try {
      HttpResponse<Void> response = http.send(
          request(path).header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
          HttpResponse.BodyHandlers.discarding());
      if (response.statusCode() == 401 || response.statusCode() == 403) {
        throw new FerryException(ErrorCode.CLOUD_AUTHENTICATION_FAILED,
            "the control plane refused the job token for job " + jobId);
      }
      return response.statusCode() < 500;
    } catch (IOException e) {
      // Progress is best effort; reports are retried by postReport.
      System.err.println("ferry-agent: cannot post " + path + ": " + e.getMessage());
      return false;
    }
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(controlPlane + "/api/v1/agent/jobs/" + jobId + path))
        .timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + token)
        .header("Accept", "application/json");
  }
}
