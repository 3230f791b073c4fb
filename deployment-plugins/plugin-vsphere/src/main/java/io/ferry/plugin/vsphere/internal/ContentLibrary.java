package io.ferry.plugin.vsphere.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/** Content library calls of the vSphere REST API ({@code /rest/com/vmware/content/...}). */
final class ContentLibrary {

  static final String LIBRARY = "/rest/com/vmware/content/library";
  static final String LOCAL_LIBRARY = "/rest/com/vmware/content/local-library";
  static final String ITEM = "/rest/com/vmware/content/library/item";
  static final String UPDATE_SESSION = "/rest/com/vmware/content/library/item/update-session";
  static final String UPDATE_SESSION_FILE = "/rest/com/vmware/content/library/item/updatesession/file";
  static final String DOWNLOAD_SESSION = "/rest/com/vmware/content/library/item/download-session";
  static final String DOWNLOAD_SESSION_FILE = "/rest/com/vmware/content/library/item/downloadsession/file";
  static final String ITEM_FILE = "/rest/com/vmware/content/library/item/file";

  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration WAIT = Duration.ofMinutes(30);

  private static final long MAX_POLLS = WAIT.toMillis() / POLL.toMillis();

  private final VsphereRest rest;

  ContentLibrary(VsphereRest rest) {
    this.rest = rest;
  }

  /** The id of the local library named {@code name}, if it exists. */
  String findLibrary(String name) {
    JsonNode ids = rest.post(LIBRARY + "?~action=find", Map.of("spec", Map.of("name", name)));
    for (JsonNode id : ids) {
      return id.asText();
    }
    return null;
  }

  /** Creates a local library on {@code datastoreId}; returns its id. */
  String createLibrary(String name, String datastoreId) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("name", name);
    spec.put("description", "Images registered by Ferry");
    spec.put("type", "LOCAL");
    spec.put("storage_backings", List.of(Map.of("type", "DATASTORE", "datastore_id", datastoreId)));
    return rest.post(LOCAL_LIBRARY, Map.of("client_token", UUID.randomUUID().toString(), "create_spec", spec)).asText();
  }

  /** Ids of the library's items. */
  List<String> itemIds(String libraryId) {
    List<String> ids = new ArrayList<>();
    rest.get(ITEM + "?library_id=" + encode(libraryId)).forEach(id -> ids.add(id.asText()));
    return ids;
  }

  /** The item, or null when it does not exist. */
  JsonNode item(String itemId) {
    try {
      return rest.get(ITEM + "/id:" + encode(itemId));
    } catch (FerryException e) {
      if (e.code() == ErrorCode.NOT_FOUND) {
        return null;
      }
      throw e;
    }
  }

  /** Creates an OVF item; returns its id. */
  String createItem(String libraryId, String name, String description) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("library_id", libraryId);
    spec.put("name", name);
    spec.put("description", description);
    spec.put("type", "ovf");
    return rest.post(ITEM, Map.of("client_token", UUID.randomUUID().toString(), "create_spec", spec)).asText();
  }

  /** Changes an item's name and description. */
  void updateItem(String itemId, String name, String description) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("name", name);
    spec.put("description", description);
    rest.patch(ITEM + "/id:" + encode(itemId), Map.of("update_spec", spec));
  }

  /** Deletes an item; one that is gone is not an error. Returns whether it existed. */
  boolean deleteItem(String itemId) {
    try {
      rest.delete(ITEM + "/id:" + encode(itemId));
      return true;
    } catch (FerryException e) {
      if (e.code() == ErrorCode.NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }

  /** The item's files: name to size (-1 when unknown). */
  Map<String, Long> files(String itemId) {
    Map<String, Long> files = new LinkedHashMap<>();
    for (JsonNode file : rest.get(ITEM_FILE + "?library_item_id=" + encode(itemId))) {
      files.put(file.path("name").asText(), file.path("size").asLong(-1));
    }
    return files;
  }

  /**
   * Uploads {@code files} (name to local path) into the item through an update session: create
   * the session, add each file as a PUSH upload, PUT it to the upload endpoint, validate,
   * complete, wait for DONE, delete the session. A failure cancels and deletes the session.
   */
  void upload(String itemId, Map<String, Path> files) {
    String session =
        rest.post(
                UPDATE_SESSION,
                Map.of("client_token", UUID.randomUUID().toString(), "create_spec", Map.of("library_item_id", itemId)))
            .asText();
    try {
      for (Map.Entry<String, Path> file : files.entrySet()) {
        JsonNode added =
            rest.post(
                UPDATE_SESSION_FILE + "/id:" + encode(session) + "?~action=add",
                Map.of("file_spec", Map.of("name", file.getKey(), "source_type", "PUSH", "size", file.getValue().toFile().length())));
        String endpoint = added.path("upload_endpoint").path("uri").asText("");
        if (endpoint.isEmpty()) {
          throw new FerryException(ErrorCode.CLOUD_REQUEST_REJECTED, "vCenter gave no upload endpoint for " + file.getKey());
        }
        rest.putFile(URI.create(endpoint), file.getValue());
      }
      JsonNode validation = rest.post(UPDATE_SESSION_FILE + "/id:" + encode(session) + "?~action=validate", null);
      if (validation.path("has_errors").asBoolean(false)
          || validation.path("missing_files").size() > 0
          || validation.path("invalid_files").size() > 0) {
        throw new FerryException(
            ErrorCode.CLOUD_REQUEST_REJECTED, "vCenter refused the uploaded OVF template: " + validation);
      }
      rest.post(UPDATE_SESSION + "/id:" + encode(session) + "?~action=complete", null);
      JsonNode done = waitFor(UPDATE_SESSION + "/id:" + encode(session), state -> !state.equals("ACTIVE"), "update session");
      String state = done.path("state").asText();
      if (!state.equals("DONE")) {
        throw new FerryException(
            ErrorCode.CLOUD_REQUEST_REJECTED,
            "the upload of library item " + itemId + " ended in state " + state + ": " + done.path("error_message"));
      }
    } catch (RuntimeException e) {
      try {
        rest.post(UPDATE_SESSION + "/id:" + encode(session) + "?~action=cancel", null);
      } catch (RuntimeException ignored) {
        // deleted next
      }
      deleteSession(UPDATE_SESSION, session);
      throw e;
    }
    deleteSession(UPDATE_SESSION, session);
  }

  /**
   * Downloads the item's file {@code name} into {@code target} through a download session
   * (prepare, wait for PREPARED, GET the endpoint); the session is deleted afterwards.
   */
  void download(String itemId, String name, Path target) {
    String session =
        rest.post(
                DOWNLOAD_SESSION,
                Map.of("client_token", UUID.randomUUID().toString(), "create_spec", Map.of("library_item_id", itemId)))
            .asText();
    try {
      String fileBase = DOWNLOAD_SESSION_FILE + "/id:" + encode(session);
      rest.post(fileBase + "?~action=prepare", Map.of("file_name", name, "endpoint_type", "HTTPS"));
      long polls = 0;
      JsonNode file;
      while (true) {
        file = rest.post(fileBase + "?~action=get", Map.of("file_name", name));
        String status = file.path("status").asText();
        if (status.equals("PREPARED")) {
          break;
        }
        if (status.equals("ERROR")) {
          throw new FerryException(ErrorCode.CLOUD_REQUEST_REJECTED, "vCenter could not prepare " + name + ": " + file.path("error_message"));
        }
        pause(++polls, "download of " + name);
      }
      String endpoint = file.path("download_endpoint").path("uri").asText("");
      if (endpoint.isEmpty()) {
        throw new FerryException(ErrorCode.CLOUD_REQUEST_REJECTED, "vCenter gave no download endpoint for " + name);
      }
      rest.getFile(URI.create(endpoint), target);
    } finally {
      deleteSession(DOWNLOAD_SESSION, session);
    }
  }

  /** Ids of the update or download sessions ({@code base} is one of the two paths) whose item is in {@code itemIds}. */
  List<String> sessionsOf(String base, java.util.Set<String> itemIds) {
    List<String> found = new ArrayList<>();
    for (JsonNode id : rest.get(base)) {
      JsonNode session;
      try {
        session = rest.get(base + "/id:" + encode(id.asText()));
      } catch (FerryException e) {
        if (e.code() == ErrorCode.NOT_FOUND) {
          continue;
        }
        throw e;
      }
      if (itemIds.contains(session.path("library_item_id").asText())) {
        found.add(id.asText());
      }
    }
    return found;
  }

  /** Deletes a session; one that is gone is not an error. Returns whether it existed. */
  boolean deleteSession(String base, String session) {
    try {
      rest.delete(base + "/id:" + encode(session));
      return true;
    } catch (FerryException e) {
      if (e.code() == ErrorCode.NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }

  private JsonNode waitFor(String path, Predicate<String> finished, String what) {
    long polls = 0;
    while (true) {
      JsonNode node = rest.get(path);
      if (finished.test(node.path("state").asText())) {
        return node;
      }
      pause(++polls, what);
    }
  }

  /** Waits between polls of a server-side state; bounded by a count so that a stuck server fails. */
  private static void pause(long polls, String what) {
    if (polls > MAX_POLLS) {
      throw new FerryException(ErrorCode.TIMEOUT, "vCenter " + what + " did not finish within " + WAIT);
    }
    try {
      Thread.sleep(POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FerryException(ErrorCode.CANCELLED, "interrupted while waiting for the " + what);
    }
  }

  static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
