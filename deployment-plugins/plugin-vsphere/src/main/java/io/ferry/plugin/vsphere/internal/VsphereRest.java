package io.ferry.plugin.vsphere.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.SSLException;

/**
 * A session with the vSphere REST API: logs in with {@code POST /api/session} (falling back to
 * {@code POST /rest/com/vmware/cis/session} where the server answers 404), sends the session id as
 * the {@code vmware-api-session-id} header, maps HTTP failures to {@link ErrorCode}s, and logs out
 * on {@link #close()}. Content library calls use the {@code /rest} paths, which vCenter 6.5 to 8
 * and vcsim all serve. The password is only sent in the login request and never logged.
 */
public final class VsphereRest implements AutoCloseable {

  /** The header that carries the session id. */
  public static final String SESSION_HEADER = "vmware-api-session-id";

  static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);

  private final VsphereSettings settings;
  private final HttpClient http;
  private String sessionId;
  private String sessionPath;

  /** A client for {@code settings}; nothing is sent before the first call. */
  public VsphereRest(VsphereSettings settings, HttpClient http) {
    this.settings = settings;
    this.http = http;
  }

  /** The JDK client for {@code settings}: TLS verified against the JDK roots and the trusted PEM. */
  public static HttpClient httpClient(VsphereSettings settings) {
    return HttpClient.newBuilder()
        .sslContext(TrustedCertificates.sslContext(settings.trustedCertificatePem()))
        .connectTimeout(Duration.ofSeconds(15))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /** The settings this client was made for. */
  VsphereSettings settings() {
    return settings;
  }

  /** The path that created the session ({@code /api/session} or the older {@code /rest} one), or null. */
  public synchronized String sessionPath() {
    return sessionPath;
  }

  /** Logs in unless a session exists; returns the session id. */
  public synchronized String login() {
    if (sessionId != null) {
      return sessionId;
    }
    String basic =
        Base64.getEncoder()
            .encodeToString((settings.username() + ":" + settings.password()).getBytes(StandardCharsets.UTF_8));
    for (String path : new String[] {"/api/session", "/rest/com/vmware/cis/session"}) {
      HttpRequest request =
          HttpRequest.newBuilder(uri(path))
              .timeout(REQUEST_TIMEOUT)
              .header("Authorization", "Basic " + basic)
              .header("Accept", "application/json")
              .POST(HttpRequest.BodyPublishers.noBody())
              .build();
      HttpResponse<String> response = send(request, HttpResponse.BodyHandlers.ofString(), "POST " + path);
      if (response.statusCode() == 404 && path.startsWith("/api")) {
        continue; // an older vCenter or vcsim: only the /rest session service
      }
      if (response.statusCode() == 401 || response.statusCode() == 403) {
        throw new FerryException(
            ErrorCode.CLOUD_AUTHENTICATION_FAILED,
            "vCenter " + settings.url() + " refused the credentials of user '" + settings.username()
                + "' (HTTP " + response.statusCode() + " from " + path + "): check the username and password");
      }
      check(response, "POST " + path);
      JsonNode body = parse(response.body(), "POST " + path);
      JsonNode value = body.has("value") ? body.get("value") : body;
      if (!value.isTextual() || value.asText().isBlank()) {
        throw new FerryException(ErrorCode.CLOUD_REQUEST_REJECTED, "vCenter session login at " + path + " returned no session id");
      }
      sessionId = value.asText();
      sessionPath = path;
      return sessionId;
    }
    throw new FerryException(ErrorCode.CLOUD_REQUEST_REJECTED, "vCenter " + settings.url() + " has no session service");
  }

  /** GET {@code path}; the {@code value} of the answer (or the whole answer for /api paths). */
  public JsonNode get(String path) {
    return call("GET", path, null);
  }

  /** POST {@code body} (may be null) to {@code path}. */
  public JsonNode post(String path, Object body) {
    return call("POST", path, body);
  }

  /** PATCH {@code body} to {@code path}. */
  public JsonNode patch(String path, Object body) {
    return call("PATCH", path, body);
  }

  /** DELETE {@code path}. */
  public JsonNode delete(String path) {
    return call("DELETE", path, null);
  }

  /** PUTs {@code file} to an absolute transfer endpoint (an update session's upload URI). */
  public void putFile(URI given, Path file) {
    URI endpoint = onConfiguredHost(given);
    try {
      HttpRequest request =
          authorized(HttpRequest.newBuilder(endpoint))
              .timeout(Duration.ofHours(6))
              .header("Content-Type", "application/octet-stream")
              .PUT(HttpRequest.BodyPublishers.ofFile(file))
              .build();
      check(send(request, HttpResponse.BodyHandlers.ofString(), "PUT " + endpoint.getPath()), "PUT " + endpoint.getPath());
    } catch (java.io.FileNotFoundException e) {
      throw new FerryException(ErrorCode.IO_ERROR, "upload source vanished: " + file, e);
    }
  }

  /** GETs an absolute transfer endpoint (a download session's URI) into {@code file}. */
  public void getFile(URI given, Path file) {
    URI endpoint = onConfiguredHost(given);
    HttpRequest request = authorized(HttpRequest.newBuilder(endpoint)).timeout(Duration.ofHours(6)).GET().build();
    HttpResponse<Path> response = send(request, HttpResponse.BodyHandlers.ofFile(file), "GET " + endpoint.getPath());
    if (response.statusCode() / 100 != 2) {
      throw failure(response.statusCode(), "", "GET " + endpoint.getPath());
    }
  }

  /** Logs out; errors are ignored (the session expires on the server anyway). */
  @Override
  public synchronized void close() {
    if (sessionId == null) {
      return;
    }
    try {
      HttpRequest request =
          HttpRequest.newBuilder(uri(sessionPath.equals("/api/session") ? "/api/session" : "/rest/com/vmware/cis/session"))
              .timeout(Duration.ofSeconds(30))
              .header(SESSION_HEADER, sessionId)
              .DELETE()
              .build();
      http.send(request, HttpResponse.BodyHandlers.discarding());
    } catch (IOException | RuntimeException e) {
      // the session times out on the server
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      sessionId = null;
    }
  }

  private JsonNode call(String method, String path, Object body) {
    String what = method + " " + path;
    HttpRequest.BodyPublisher publisher;
    try {
      publisher =
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body));
    } catch (IOException e) {
      throw new FerryException(ErrorCode.INTERNAL, "cannot encode the body of " + what, e);
    }
    String usedSession = login();
    HttpResponse<String> response = send(jsonRequest(method, path, publisher, usedSession), HttpResponse.BodyHandlers.ofString(), what);
    if (response.statusCode() == 401) {
      // the session expired (vCenter drops idle sessions): log in again once and repeat
      expire(usedSession);
      response = send(jsonRequest(method, path, publisher, login()), HttpResponse.BodyHandlers.ofString(), what);
    }
    check(response, what);
    JsonNode parsed = parse(response.body(), what);
    return path.startsWith("/rest") && parsed.has("value") ? parsed.get("value") : parsed;
  }

  private HttpRequest jsonRequest(String method, String path, HttpRequest.BodyPublisher publisher, String session) {
    return HttpRequest.newBuilder(uri(path))
        .timeout(REQUEST_TIMEOUT)
        .header(SESSION_HEADER, session)
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .method(method, publisher)
        .build();
  }

  /** Forgets {@code session} if it is still the current one, so that the next call logs in. */
  private synchronized void expire(String session) {
    if (session.equals(sessionId)) {
      sessionId = null;
    }
  }

  private HttpRequest.Builder authorized(HttpRequest.Builder builder) {
    return builder.header(SESSION_HEADER, login());
  }

  /**
   * The transfer endpoint as sent: its path and query on the configured vCenter. vCenter names
   * itself in these URIs (its FQDN, or {@code *}) which may differ from the configured URL; the
   * session id is only ever sent to the configured host.
   */
  URI onConfiguredHost(URI endpoint) {
    String path = endpoint.getRawPath() == null ? "" : endpoint.getRawPath();
    String query = endpoint.getRawQuery() == null ? "" : "?" + endpoint.getRawQuery();
    return URI.create(settings.url() + path + query);
  }

  private URI uri(String path) {
    return URI.create(settings.url() + path);
  }

  private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler, String what) {
    try {
      return http.send(request, handler);
    } catch (SSLException e) {
      throw new FerryException(
          ErrorCode.CLOUD_REQUEST_REJECTED,
          "TLS with vCenter " + settings.url() + " failed (" + e.getMessage() + "); if it has a self-signed"
              + " certificate, give that certificate in the 'trustedCertificate' setting",
          e);
    } catch (ConnectException | HttpConnectTimeoutException e) {
      throw new FerryException(
          ErrorCode.CLOUD_UNAVAILABLE, "vCenter " + settings.url() + " is unreachable (" + what + "): " + e, e);
    } catch (HttpTimeoutException e) {
      throw new FerryException(ErrorCode.TIMEOUT, "vCenter " + settings.url() + " did not answer " + what + " in time", e);
    } catch (IOException e) {
      throw new FerryException(ErrorCode.CLOUD_UNAVAILABLE, "vCenter " + settings.url() + " failed " + what + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FerryException(ErrorCode.CANCELLED, "interrupted during " + what, e);
    }
  }

  private void check(HttpResponse<String> response, String what) {
    if (response.statusCode() / 100 != 2) {
      throw failure(response.statusCode(), response.body(), what);
    }
  }

  private FerryException failure(int status, String body, String what) {
    String detail = body == null || body.isBlank() ? "" : ": " + abbreviate(body);
    ErrorCode code =
        switch (status) {
          case 401 -> ErrorCode.CLOUD_AUTHENTICATION_FAILED;
          case 403 -> ErrorCode.CLOUD_PERMISSION_DENIED;
          case 404 -> ErrorCode.NOT_FOUND;
          case 429 -> ErrorCode.CLOUD_THROTTLED;
          default -> status >= 500 ? ErrorCode.CLOUD_UNAVAILABLE : ErrorCode.CLOUD_REQUEST_REJECTED;
        };
    return new FerryException(code, "vCenter answered HTTP " + status + " to " + what + detail);
  }

  private static String abbreviate(String text) {
    String oneLine = text.replaceAll("\\s+", " ").trim();
    return oneLine.length() > 300 ? oneLine.substring(0, 300) + "..." : oneLine;
  }

  private static JsonNode parse(String body, String what) {
    if (body == null || body.isBlank()) {
      return NullNode.getInstance();
    }
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new FerryException(ErrorCode.CLOUD_REQUEST_REJECTED, "vCenter answered " + what + " with malformed JSON", e);
    }
  }
}
