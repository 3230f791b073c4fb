package io.ferry.plugin.vsphere.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.spi.CloudAccountConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code /api/session} login that vCenter 7+ offers and vcsim lacks, against a small loopback
 * HTTP server that speaks just that: the session id comes back as a bare JSON string, later calls
 * carry it, logout deletes it; a wrong password and a failing server give clear errors.
 */
class VsphereSessionIT {

  private HttpServer server;
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private volatile int sessionStatus = 201;
  private final java.util.concurrent.atomic.AtomicInteger sessions = new java.util.concurrent.atomic.AtomicInteger();
  private volatile String expiredSession;

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/api/session", this::session);
    server.createContext("/rest/com/vmware/content/library", exchange -> {
      String session = exchange.getRequestHeaders().getFirst(VsphereRest.SESSION_HEADER);
      requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " session=" + session);
      answer(exchange, session.equals(expiredSession) ? 401 : 200, "{\"value\":[]}");
    });
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  private void session(HttpExchange exchange) throws IOException {
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    requests.add(exchange.getRequestMethod() + " /api/session"
        + (authorization != null ? " basic" : " session=" + exchange.getRequestHeaders().getFirst(VsphereRest.SESSION_HEADER)));
    if (exchange.getRequestMethod().equals("DELETE")) {
      answer(exchange, 204, null);
      return;
    }
    String expected = "Basic " + Base64.getEncoder().encodeToString("admin:secret".getBytes(StandardCharsets.UTF_8));
    if (sessionStatus != 201) {
      answer(exchange, sessionStatus, "{\"error_type\":\"SERVICE_UNAVAILABLE\"}");
    } else if (!expected.equals(authorization)) {
      answer(exchange, 401, "{\"error_type\":\"UNAUTHENTICATED\"}");
    } else {
      answer(exchange, 201, "\"api-session-" + sessions.incrementAndGet() + "\"");
    }
  }

  private static void answer(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
    exchange.close();
  }

  @Test
  void apiSessionIsUsedWhereTheServerHasIt() {
    try (VsphereRest rest = rest("secret")) {
      assertThat(rest.login()).isEqualTo("api-session-1");
      assertThat(rest.sessionPath()).isEqualTo("/api/session");
      assertThat(new ContentLibrary(rest).findLibrary("ferry")).isNull();
    }
    assertThat(requests)
        .containsExactly(
            "POST /api/session basic",
            "POST /rest/com/vmware/content/library session=api-session-1",
            "DELETE /api/session session=api-session-1");
  }

  @Test
  void anExpiredSessionIsRenewedOnceAndTheCallRepeated() {
    try (VsphereRest rest = rest("secret")) {
      assertThat(rest.login()).isEqualTo("api-session-1");
      expiredSession = "api-session-1"; // vCenter dropped the idle session
      assertThat(new ContentLibrary(rest).findLibrary("ferry")).isNull();
    }
    assertThat(requests)
        .containsExactly(
            "POST /api/session basic",
            "POST /rest/com/vmware/content/library session=api-session-1",
            "POST /api/session basic",
            "POST /rest/com/vmware/content/library session=api-session-2",
            "DELETE /api/session session=api-session-2");
  }

  @Test
  void wrongPasswordOnApiSessionIsAnAuthenticationFailureWithoutTheFallback() {
    try (VsphereRest rest = rest("wrong")) {
      FerryException failure = catchThrowableOfType(FerryException.class, rest::login);
      assertThat(failure.code()).isEqualTo(ErrorCode.CLOUD_AUTHENTICATION_FAILED);
      assertThat(failure.getMessage()).contains("'admin'").doesNotContain("wrong");
    }
    assertThat(requests).containsExactly("POST /api/session basic");
  }

  @Test
  void serverErrorIsUnavailableAndRetryable() {
    sessionStatus = 503;
    try (VsphereRest rest = rest("secret")) {
      FerryException failure = catchThrowableOfType(FerryException.class, rest::login);
      assertThat(failure.code()).isEqualTo(ErrorCode.CLOUD_UNAVAILABLE);
      assertThat(failure.retryable()).isTrue();
      assertThat(failure.getMessage()).contains("HTTP 503").contains("/api/session");
    }
  }

  private VsphereRest rest(String password) {
    Map<String, String> settings = new HashMap<>();
    settings.put("url", "http://127.0.0.1:" + server.getAddress().getPort());
    settings.put("username", "admin");
    settings.put("datacenter", "DC0");
    settings.put("datastore", "DS0");
    VsphereSettings parsed =
        VsphereSettings.parse(new CloudAccountConfig("fake", null, null, settings, Map.of("password", password)));
    return new VsphereRest(parsed, VsphereRest.httpClient(parsed));
  }
}
