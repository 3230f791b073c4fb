package io.ferry.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The system manager's REST API with a bearer token (JDK HttpClient, Jackson). Every failure
 * becomes a {@link CliException} whose message comes from the server's problem details.
 */
public class FerryClient {

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  private final URI base;
  private final String token;
  private final HttpClient http;
  private final ObjectMapper json;

  public FerryClient(URI base, String token, ObjectMapper json) {
    this.base = base;
    this.token = token;
    this.json = json;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  public URI base() {
    return base;
  }

  public JsonNode get(String path, Map<String, String> query) {
    return send("GET", path + queryString(query), null);
  }

  public JsonNode get(String path) {
    return send("GET", path, null);
  }

  public JsonNode post(String path, Object body) {
    return send("POST", path, body);
  }

  /** Encodes one path segment. */
  public static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static String queryString(Map<String, String> query) {
    StringJoiner joined = new StringJoiner("&", "?", "");
    joined.setEmptyValue("");
    new LinkedHashMap<>(query).forEach((key, value) -> {
      if (value != null && !value.isEmpty()) {
        joined.add(segment(key) + "=" + segment(value));
      }
    });
    return joined.toString();
  }

  private JsonNode send(String method, String path, Object body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
        .timeout(REQUEST_TIMEOUT)
        .header("Accept", "application/json")
        .header("Authorization", "Bearer " + token)
        .header("User-Agent", "ferry-cli");
    try {
      if (body == null) {
        request.method(method, HttpRequest.BodyPublishers.noBody());
      } else {
        request.header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
      }
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() >= 200 && response.statusCode() < 300) {
        String text = response.body();
        return text == null || text.isBlank() ? json.nullNode() : json.readTree(text);
      }
      throw problem(response.statusCode(), response.body());
    } catch (ConnectException e) {
      throw new CliException(ExitCode.UNAVAILABLE, "cannot connect to " + base + " (is the system manager running?)", e);
    } catch (HttpTimeoutException e) {
      throw new CliException(ExitCode.UNAVAILABLE, "the system manager at " + base + " did not answer in time", e);
    } catch (IOException e) {
      throw new CliException(ExitCode.UNAVAILABLE,
          "cannot talk to " + base + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCode.UNAVAILABLE, "interrupted", e);
    }
  }

  /** The exception for a non-2xx answer, from its problem details when it has them. */
  CliException problem(int status, String body) {
    String detail = null;
    String code = null;
    StringJoiner fields = new StringJoiner("; ");
    try {
      JsonNode problem = body == null || body.isBlank() ? null : json.readTree(body);
      if (problem != null && problem.isObject()) {
        detail = text(problem.get("detail"));
        if (detail == null) {
          detail = text(problem.get("title"));
        }
        code = text(problem.get("code"));
        JsonNode errors = problem.get("errors");
        if (errors != null && errors.isArray()) {
          errors.forEach(error -> fields.add(text(error.get("field")) + ": " + text(error.get("message"))));
        }
      }
    } catch (IOException notJson) {
      // a proxy's HTML page: the status says enough
    }
    String reason = (detail == null ? "HTTP " + status : detail) + (fields.length() > 0 ? " (" + fields + ")" : "");
    return switch (status) {
      case 401 -> new CliException(ExitCode.UNAUTHENTICATED,
          "the server refused the API token (wrong, expired or revoked): create one in the dashboard under"
              + " API tokens and set FERRY_TOKEN");
      case 403 -> new CliException(ExitCode.FORBIDDEN, "not allowed: " + reason);
      default -> status >= 500
          ? new CliException(ExitCode.UNAVAILABLE, "the system manager failed (HTTP " + status + "): " + reason)
          : new CliException(ExitCode.REFUSED, reason + (code == null ? "" : " [" + code + "]"));
    };
  }

  private static String text(JsonNode node) {
    return node == null || node.isNull() ? null : node.asText();
  }
}
