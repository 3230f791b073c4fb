package io.ferry.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The helper-mode client against a fake control plane (JDK HttpServer). */
class DaemonClientIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private HttpServer server;
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private final List<JsonNode> progress = new CopyOnWriteArrayList<>();
  private final List<JsonNode> reports = new CopyOnWriteArrayList<>();
  private final AtomicInteger polls = new AtomicInteger();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/api/v1/agent/jobs/job-7/", this::handle);
    server.createContext("/api/v1/agent/jobs/job-8/", this::flakyReports);
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    authorizations.add(authorization);
    if (!"Bearer job-token-7".equals(authorization)) {
      reply(exchange, 401, "");
      return;
    }
    if (path.endsWith("/instructions") && exchange.getRequestMethod().equals("GET")) {
      int poll = polls.incrementAndGet();
      switch (poll) {
        case 1 -> reply(exchange, 204, "");
        case 2 -> reply(exchange, 200, "{\"instructions\":[{\"id\":\"i1\",\"operation\":\"strip\",\"root\":\"/mnt/x\",\"cloud\":\"aws\"},"
            + "{\"id\":\"i2\",\"operation\":\"inject\",\"root\":\"/mnt/x\",\"cloud\":\"kvm\"}],\"done\":false}");
        case 3 -> reply(exchange, 200, "{\"instructions\":[{\"id\":\"i2\",\"operation\":\"inject\",\"root\":\"/mnt/x\",\"cloud\":\"kvm\"},"
            + "{\"id\":\"i3\",\"operation\":\"explode\",\"root\":\"/mnt/x\"}],\"done\":false}");
        default -> reply(exchange, 200, "{\"instructions\":[],\"done\":true}");
      }
      return;
    }
    JsonNode body = JSON.readTree(exchange.getRequestBody());
    if (path.endsWith("/progress")) {
      progress.add(body);
    } else if (path.endsWith("/reports")) {
      reports.add(body);
    }
    reply(exchange, 204, "");
  }

  private final AtomicInteger failedReports = new AtomicInteger();
  private volatile boolean reported;

  /** Job 8: the first four report posts fail; the instruction is listed until its report arrived. */
  private void flakyReports(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    if (path.endsWith("/instructions")) {
      polls.incrementAndGet();
      reply(exchange, 200, reported ? "{\"instructions\":[],\"done\":true}"
          : "{\"instructions\":[{\"id\":\"d1\",\"operation\":\"digest\",\"image\":\"/dev/null\"}],\"done\":false}");
      return;
    }
    JsonNode body = JSON.readTree(exchange.getRequestBody());
    if (path.endsWith("/reports")) {
      if (failedReports.incrementAndGet() <= 4) {
        reply(exchange, 503, "");
        return;
      }
      reports.add(body);
      reported = true;
    }
    reply(exchange, 204, "");
  }

  private static void reply(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, status == 204 || bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
    exchange.close();
  }

  private URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  @Test
  void pollsRunsEachInstructionOnceAndReportsProgressAndResults() throws Exception {
    List<String> ran = new ArrayList<>();
    List<Duration> pauses = new ArrayList<>();
    DaemonClient client = new DaemonClient(url(), "job-7", "job-token-7", instruction -> {
      if (instruction.operation().equals("explode")) {
        throw new FerryException(ErrorCode.INVALID_REQUEST, "unknown operation 'explode'");
      }
      ran.add(instruction.id() + ":" + instruction.operation() + ":" + instruction.cloud());
      return Map.of("runId", "run-" + instruction.id());
    }, pauses::add, Duration.ofSeconds(5));

    assertThat(client.run()).isEqualTo(3);

    assertThat(ran).containsExactly("i1:strip:aws", "i2:inject:kvm");
    assertThat(pauses).containsExactly(Duration.ofSeconds(5));
    assertThat(authorizations).allMatch("Bearer job-token-7"::equals);
    assertThat(reports).extracting(r -> r.get("instructionId").asText() + ":" + r.get("state").asText())
        .containsExactly("i1:SUCCEEDED", "i2:SUCCEEDED", "i3:FAILED");
    assertThat(reports.get(0).at("/report/runId").asText()).isEqualTo("run-i1");
    assertThat(reports.get(2).at("/error/code").asText()).isEqualTo("INVALID_REQUEST");
    assertThat(progress).extracting(p -> p.get("instructionId").asText() + ":" + p.get("state").asText())
        .containsExactly("i1:RUNNING", "i1:SUCCEEDED", "i2:RUNNING", "i2:SUCCEEDED", "i3:RUNNING", "i3:FAILED");
  }

  @Test
  void aReportTheControlPlaneDidNotTakeIsSentAgainWhileTheInstructionIsListed() throws Exception {
    List<String> ran = new ArrayList<>();
    DaemonClient client = new DaemonClient(URI.create(url() + ""), "job-8", "job-token-8", instruction -> {
      ran.add(instruction.id());
      return Map.of("sha256", "0".repeat(64));
    }, duration -> {}, Duration.ZERO);

    assertThat(client.run()).isEqualTo(1);

    assertThat(ran).as("run once").containsExactly("d1");
    assertThat(failedReports.get()).as("three posts, then one more per poll that still listed it").isEqualTo(5);
    assertThat(reports).extracting(r -> r.get("instructionId").asText() + ":" + r.get("state").asText())
        .containsExactly("d1:SUCCEEDED");
  }

  @Test
  void aboutTenMinutesOfFailedPollsAreRiddenOut() {
    assertThat(DaemonClient.maxFailures(Duration.ofSeconds(2))).isEqualTo(300);
    assertThat(DaemonClient.maxFailures(Duration.ZERO)).isEqualTo(600);
    assertThat(DaemonClient.maxFailures(Duration.ofMinutes(5))).isEqualTo(5);
  }

  @Test
  void aRefusedTokenStopsTheDaemon() {
    DaemonClient client = new DaemonClient(url(), "job-7", "stolen", instruction -> null, duration -> {}, Duration.ZERO);
    assertThatThrownBy(client::run)
        .isInstanceOf(FerryException.class)
        .hasMessageContaining("refused the job token")
        .hasMessageNotContaining("stolen");
  }
}
