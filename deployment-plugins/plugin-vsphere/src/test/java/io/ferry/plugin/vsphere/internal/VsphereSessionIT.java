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
 * The {@code /api} services that vCenter 7.0 U2+ offers and vcsim v0.46.3 lacks ({@code
 * /api/session} and {@code /api/cis/tagging}), against a small loopback HTTP server that speaks
 * just those: the session id comes back as a bare JSON string, later calls carry it, logout
 * deletes it; a wrong password and a failing server give clear errors; job tags are made, found,
 * attached, detached and deleted with unwrapped specs and {@code ?action=} queries. The {@code
 * /rest} fallbacks of both are tested against vcsim ({@code VsphereLibraryIT}).
 */
class VsphereSessionIT {

  private HttpServer server;
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private volatile int sessionStatus = 201;
  private final java.util.concurrent.atomic.AtomicInteger sessions = new java.util.concurrent.atomic.AtomicInteger();
  private volatile String expiredSession;
  private final Map<String, com.fasterxml.jackson.databind.JsonNode> categories = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, com.fasterxml.jackson.databind.JsonNode> tags = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, java.util.Set<String>> associations = new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicInteger taggingIds = new java.util.concurrent.atomic.AtomicInteger();

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/api/session", this::session);
    server.createContext("/api/cis/tagging", this::tagging);
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

  /**
   * vCenter 7.0 U2+'s {@code /api} tagging service, in memory: unwrapped create specs, {@code
   * ?action=} queries, ids in the path without {@code id:}. A {@code /rest}-style body (with {@code
   * create_spec}) is refused.
   */
  private void tagging(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath().substring("/api/cis/tagging/".length());
    String query = exchange.getRequestURI().getQuery();
    requests.add(method + " /api/cis/tagging/" + path + (query == null ? "" : "?" + query));
    byte[] raw = exchange.getRequestBody().readAllBytes();
    com.fasterxml.jackson.databind.JsonNode body = raw.length == 0 ? null : VsphereRest.JSON.readTree(raw);
    if (body != null && body.has("create_spec")) {
      answer(exchange, 400, "{\"error_type\":\"INVALID_ARGUMENT\"}");
      return;
    }
    String[] parts = path.split("/");
    String kind = parts[0];
    String id = parts.length > 1 ? java.net.URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : null;
    Map<String, com.fasterxml.jackson.databind.JsonNode> objects = kind.equals("category") ? categories : tags;
    if (kind.equals("tag-association")) {
      java.util.Set<String> attached = associations.get(id);
      if (attached == null) {
        answer(exchange, 404, "{\"error_type\":\"NOT_FOUND\"}");
        return;
      }
      String object = body == null ? null : body.path("object_id").path("type").asText() + ":" + body.path("object_id").path("id").asText();
      switch (query) {
        case "action=attach" -> attached.add(object);
        case "action=detach" -> attached.remove(object);
        case "action=list-attached-objects" -> {
          List<Map<String, String>> list = new java.util.ArrayList<>();
          attached.forEach(entry -> list.add(Map.of("type", entry.split(":", 2)[0], "id", entry.split(":", 2)[1])));
          answer(exchange, 200, VsphereRest.JSON.writeValueAsString(list));
          return;
        }
        default -> {
          answer(exchange, 400, "{\"error_type\":\"INVALID_ARGUMENT\"}");
          return;
        }
      }
      answer(exchange, 204, null);
    } else if ("action=list-tags-for-category".equals(query)) {
      String category = body.path("category_id").asText();
      List<String> ids = tags.entrySet().stream().filter(tag -> tag.getValue().path("category_id").asText().equals(category)).map(Map.Entry::getKey).toList();
      answer(exchange, 200, VsphereRest.JSON.writeValueAsString(ids));
    } else if (id == null && method.equals("GET")) {
      answer(exchange, 200, VsphereRest.JSON.writeValueAsString(objects.keySet()));
    } else if (id == null && method.equals("POST")) {
      String created = "urn:vmomi:InventoryService" + (kind.equals("category") ? "Category" : "Tag") + ":" + taggingIds.getAndIncrement() + ":GLOBAL";
      objects.put(created, body);
      if (kind.equals("tag")) {
        associations.put(created, new java.util.LinkedHashSet<>());
      }
      answer(exchange, 201, "\"" + created + "\"");
    } else if (!objects.containsKey(id)) {
      answer(exchange, 404, "{\"error_type\":\"NOT_FOUND\"}");
    } else if (method.equals("GET")) {
      answer(exchange, 200, objects.get(id).toString());
    } else if (method.equals("DELETE")) {
      objects.remove(id);
      associations.remove(id);
      answer(exchange, 204, null);
    } else {
      answer(exchange, 400, "{\"error_type\":\"INVALID_ARGUMENT\"}");
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

  @Test
  void jobTagsUseTheApiTaggingServiceWhereTheServerHasIt() {
    JobTags.TaggedObject item = new JobTags.TaggedObject(JobTags.ITEM_TYPE, "item-1");
    JobTags.TaggedObject vm = new JobTags.TaggedObject(JobTags.VM_TYPE, "vm-42");
    try (VsphereRest rest = rest("secret")) {
      JobTags jobTags = new JobTags(rest);
      assertThat(jobTags.find("job-1")).isEmpty();
      String tagId = jobTags.ensure("job-1");
      assertThat(jobTags.usesApi()).isTrue();
      assertThat(new JobTags(rest).find("job-1")).as("found again by listing the category's tags").contains(tagId);
      jobTags.attach(tagId, item);
      jobTags.attach(tagId, vm);
      assertThat(jobTags.attached(tagId)).containsExactly(item, vm);
      assertThat(jobTags.deleteIfUnused(tagId)).as("still attached").isFalse();
      jobTags.detach(tagId, item);
      jobTags.detach(tagId, vm);
      assertThat(jobTags.deleteIfUnused(tagId)).isTrue();
      assertThat(new JobTags(rest).find("job-1")).isEmpty();
      assertThat(new JobTags(rest).ensure("job-2")).as("another job's tag, in the same category").isNotEqualTo(tagId);
    }
    assertThat(categories).hasSize(1);
    com.fasterxml.jackson.databind.JsonNode category = categories.values().iterator().next();
    assertThat(category.path("name").asText()).isEqualTo(JobTags.CATEGORY);
    assertThat(category.path("cardinality").asText()).isEqualTo("MULTIPLE");
    assertThat(category.path("associable_types")).as("attachable to every type").isEmpty();
    assertThat(requests)
        .filteredOn(request -> request.contains("/tagging/"))
        .containsSubsequence(
            "GET /api/cis/tagging/category",
            "POST /api/cis/tagging/category",
            "POST /api/cis/tagging/tag",
            "POST /api/cis/tagging/tag?action=list-tags-for-category",
            "GET /api/cis/tagging/tag/urn:vmomi:InventoryServiceTag:1:GLOBAL",
            "POST /api/cis/tagging/tag-association/urn:vmomi:InventoryServiceTag:1:GLOBAL?action=attach",
            "POST /api/cis/tagging/tag-association/urn:vmomi:InventoryServiceTag:1:GLOBAL?action=list-attached-objects",
            "POST /api/cis/tagging/tag-association/urn:vmomi:InventoryServiceTag:1:GLOBAL?action=detach",
            "DELETE /api/cis/tagging/tag/urn:vmomi:InventoryServiceTag:1:GLOBAL")
        .noneMatch(request -> request.contains("/rest/"));
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
