package io.ferry.plugin.vsphere;

import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/** An HttpClient that records every request Ferry sends (method, path, query, headers, status). */
public final class RecordingHttpClient extends HttpClient {

  /** One exchange. */
  public record Exchange(String method, String path, String query, boolean hasSessionHeader, boolean hasBasicAuth, int status) {
    @Override
    public String toString() {
      return method + " " + path + (query == null ? "" : "?" + query) + " -> " + status;
    }
  }

  private final HttpClient delegate;
  private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
  private volatile java.util.function.Predicate<HttpRequest> failing = request -> false;

  /** Makes requests that match {@code predicate} fail as if the connection was refused. */
  public void failWhen(java.util.function.Predicate<HttpRequest> predicate) {
    failing = predicate;
  }

  public RecordingHttpClient(HttpClient delegate) {
    this.delegate = delegate;
  }

  /** The exchanges so far. */
  public List<Exchange> exchanges() {
    return List.copyOf(exchanges);
  }

  /**
   * The exchanges as {@code METHOD path[ ~action=x] -> status auth}, with ids replaced by {@code *}
   * and auth one of {@code basic}, {@code session} or {@code none}.
   */
  public List<String> calls() {
    return exchanges.stream().map(RecordingHttpClient::call).toList();
  }

  private static String call(Exchange exchange) {
    String path = exchange.path().replaceAll("/id:[^/]+", "/id:*").replaceAll("/cis/data/[^/]+/", "/cis/data/*/");
    String action = "";
    if (exchange.query() != null) {
      for (String parameter : exchange.query().split("&")) {
        if (parameter.startsWith("~action=")) {
          action = " " + parameter;
        }
      }
    }
    String auth = exchange.hasBasicAuth() ? "basic" : exchange.hasSessionHeader() ? "session" : "none";
    return exchange.method() + " " + path + action + " -> " + exchange.status() + " " + auth;
  }

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException, InterruptedException {
    if (failing.test(request)) {
      exchanges.add(exchange(request, -1));
      throw new java.net.ConnectException("connection refused (injected by the test)");
    }
    HttpResponse<T> response;
    try {
      response = delegate.send(request, handler);
    } catch (IOException e) {
      exchanges.add(exchange(request, -1));
      throw e;
    }
    exchanges.add(exchange(request, response.statusCode()));
    return response;
  }

  private static Exchange exchange(HttpRequest request, int status) {
    return new Exchange(
        request.method(),
        request.uri().getPath(),
        request.uri().getQuery(),
        request.headers().firstValue("vmware-api-session-id").isPresent(),
        request.headers().firstValue("Authorization").map(value -> value.startsWith("Basic ")).orElse(false),
        status);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    throw new UnsupportedOperationException("the plugin sends synchronously");
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, HttpResponse.BodyHandler<T> handler, HttpResponse.PushPromiseHandler<T> pushPromiseHandler) {
    throw new UnsupportedOperationException("the plugin sends synchronously");
  }

  @Override
  public Optional<CookieHandler> cookieHandler() {
    return delegate.cookieHandler();
  }

  @Override
  public Optional<Duration> connectTimeout() {
    return delegate.connectTimeout();
  }

  @Override
  public Redirect followRedirects() {
    return delegate.followRedirects();
  }

  @Override
  public Optional<ProxySelector> proxy() {
    return delegate.proxy();
  }

  @Override
  public SSLContext sslContext() {
    return delegate.sslContext();
  }

  @Override
  public SSLParameters sslParameters() {
    return delegate.sslParameters();
  }

  @Override
  public Optional<Authenticator> authenticator() {
    return delegate.authenticator();
  }

  @Override
  public Version version() {
    return delegate.version();
  }

  @Override
  public Optional<Executor> executor() {
    return delegate.executor();
  }
}
