package io.ferry.systemmanager.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * A small HTTP client for the API over a real port: anonymous, with a bearer token, or with a
 * browser-like session (cookies, and the XSRF-TOKEN cookie echoed in X-XSRF-TOKEN).
 */
public final class Api {

  private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

  /** A response. */
  public record Response(int status, String body, HttpResponse<String> raw) {
    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + body, e);
      }
    }

    public String contentType() {
      return raw.headers().firstValue("Content-Type").orElse("");
    }

    /** The problem detail's stable code. */
    public String code() {
      return json().path("code").asText();
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  private final URI base;
  private final HttpClient client;
  private final CookieManager cookies;
  private final String bearer;

  private Api(int port, String bearer, boolean session) {
    this.base = URI.create("http://localhost:" + port);
    this.bearer = bearer;
    this.cookies = session ? new CookieManager() : null;
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
    if (cookies != null) {
      builder.cookieHandler(cookies);
    }
    this.client = builder.build();
  }

  public static Api anonymous(int port) {
    return new Api(port, null, false);
  }

  public static Api bearer(int port, String token) {
    return new Api(port, token, false);
  }

  /** A browser: keeps cookies and sends the CSRF header. */
  public static Api browser(int port) {
    return new Api(port, null, true);
  }

  public Response get(String path) {
    return send("GET", path, null);
  }

  public Response post(String path, Object body) {
    return send("POST", path, body);
  }

  public Response put(String path, Object body) {
    return send("PUT", path, body);
  }

  public Response patch(String path, Object body) {
    return send("PATCH", path, body);
  }

  public Response delete(String path) {
    return send("DELETE", path, null);
  }

  /** Sends a body object as JSON, or a String as it is. */
  public Response send(String method, String path, Object body) {
    String text;
    try {
      text = body == null ? null : body instanceof String string ? string : JSON.writeValueAsString(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    HttpRequest.BodyPublisher publisher =
        text == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(text);
    return send(request(method, path).method(method, publisher));
  }

  /** The HTTP client itself (its cookies), for requests that stream their answer. */
  public HttpClient raw() {
    return client;
  }

  /** A request builder with this client's authentication and JSON headers. */
  public HttpRequest.Builder request(String method, String path) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").header("Accept", "application/json, application/problem+json");
    if (bearer != null) {
      builder.header("Authorization", "Bearer " + bearer);
    }
    csrfToken().ifPresent(token -> builder.header("X-XSRF-TOKEN", token));
    return builder;
  }

  public Response send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response.body(), response);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The session's CSRF token from the XSRF-TOKEN cookie. */
  public Optional<String> csrfToken() {
    if (cookies == null) {
      return Optional.empty();
    }
    return cookies.getCookieStore().getCookies().stream()
        .filter(cookie -> cookie.getName().equals("XSRF-TOKEN")).map(HttpCookie::getValue).findFirst();
  }

  /** Forgets the CSRF cookie (to test that mutating session requests need it). */
  public void dropCsrfCookie() {
    cookies.getCookieStore().getCookies().stream().filter(cookie -> cookie.getName().equals("XSRF-TOKEN")).toList()
        .forEach(cookie -> cookies.getCookieStore().getURIs()
            .forEach(uri -> cookies.getCookieStore().remove(uri, cookie)));
  }
}
