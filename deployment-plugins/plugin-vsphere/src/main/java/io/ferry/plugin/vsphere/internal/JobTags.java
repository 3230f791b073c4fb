package io.ferry.plugin.vsphere.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Job tags in vSphere's tagging service: one category {@value #CATEGORY} (created when absent,
 * cardinality MULTIPLE, attachable to every type) and in it one tag per job, named by the job id,
 * attached to every library item and VM the job creates. Speaks {@code /api/cis/tagging/...}
 * (vCenter 7.0 U2 and later) and falls back to {@code /rest/com/vmware/cis/tagging/...} where the
 * server answers 404 there (older vCenters, vcsim).
 */
final class JobTags {

  /** The category of job tags. */
  static final String CATEGORY = "ferry-job";

  /** The tagging type of a content library item. */
  static final String ITEM_TYPE = "com.vmware.content.library.Item";

  /** The tagging type of a VM (its managed object type). */
  static final String VM_TYPE = "VirtualMachine";

  static final String API = "/api/cis/tagging";
  static final String REST = "/rest/com/vmware/cis/tagging";

  /** An object a tag is attached to. */
  record TaggedObject(String type, String id) {
    Map<String, String> json() {
      Map<String, String> json = new LinkedHashMap<>();
      json.put("type", type);
      json.put("id", id);
      return json;
    }

    @Override
    public String toString() {
      return type + ":" + id;
    }
  }

  private final VsphereRest rest;
  private final Map<String, String> tagIds = new HashMap<>();
  private Boolean api;
  private String categoryId;

  JobTags(VsphereRest rest) {
    this.rest = rest;
  }

  /** Whether the server has the {@code /api} tagging service (asked once). */
  synchronized boolean usesApi() {
    if (api == null) {
      try {
        rest.get(API + "/category");
        api = true;
      } catch (FerryException e) {
        if (e.code() != ErrorCode.NOT_FOUND) {
          throw e;
        }
        api = false;
      }
    }
    return api;
  }

  /** The id of the job's tag, if it exists. */
  synchronized Optional<String> find(String jobId) {
    String cached = tagIds.get(jobId);
    if (cached != null) {
      return Optional.of(cached);
    }
    Optional<String> category = findCategory();
    if (category.isEmpty()) {
      return Optional.empty();
    }
    JsonNode ids =
        usesApi()
            ? rest.post(API + "/tag?action=list-tags-for-category", Map.of("category_id", category.get()))
            : rest.post(REST + "/tag/id:" + encode(category.get()) + "?~action=list-tags-for-category", Map.of());
    for (JsonNode id : ids) {
      JsonNode tag = get(tagPath(id.asText()));
      if (tag != null && jobId.equals(tag.path("name").asText())) {
        tagIds.put(jobId, id.asText());
        return Optional.of(id.asText());
      }
    }
    return Optional.empty();
  }

  /** The id of the job's tag, created (with the category) when absent. */
  synchronized String ensure(String jobId) {
    Optional<String> existing = find(jobId);
    if (existing.isPresent()) {
      return existing.get();
    }
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("name", jobId);
    spec.put("description", "Resources of Ferry job " + jobId + "; deleted by the job's cleanup");
    spec.put("category_id", ensureCategory());
    try {
      String id = create(usesApi() ? API + "/tag" : REST + "/tag", spec);
      tagIds.put(jobId, id);
      return id;
    } catch (FerryException e) {
      // another worker of the same job created it meanwhile
      return find(jobId).orElseThrow(() -> e);
    }
  }

  /** Attaches tag {@code tagId} to {@code object}; attaching twice is not an error. */
  void attach(String tagId, TaggedObject object) {
    rest.post(associationPath(tagId, "attach"), Map.of("object_id", object.json()));
  }

  /** Detaches tag {@code tagId} from {@code object}; a tag or attachment that is gone is not an error. */
  void detach(String tagId, TaggedObject object) {
    try {
      rest.post(associationPath(tagId, "detach"), Map.of("object_id", object.json()));
    } catch (FerryException e) {
      if (e.code() != ErrorCode.NOT_FOUND) {
        throw e;
      }
    }
  }

  /** The objects tag {@code tagId} is attached to; none when the tag is gone. */
  List<TaggedObject> attached(String tagId) {
    List<TaggedObject> objects = new ArrayList<>();
    JsonNode answer;
    try {
      answer = rest.post(associationPath(tagId, "list-attached-objects"), Map.of());
    } catch (FerryException e) {
      if (e.code() == ErrorCode.NOT_FOUND) {
        return objects;
      }
      throw e;
    }
    for (JsonNode object : answer) {
      objects.add(new TaggedObject(object.path("type").asText(), object.path("id").asText()));
    }
    return objects;
  }

  /** Deletes tag {@code tagId}; returns whether it existed. */
  synchronized boolean delete(String tagId) {
    tagIds.values().removeIf(tagId::equals);
    try {
      rest.delete(tagPath(tagId));
      return true;
    } catch (FerryException e) {
      if (e.code() == ErrorCode.NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }

  /** Deletes tag {@code tagId} when it is attached to nothing; returns whether it did. */
  boolean deleteIfUnused(String tagId) {
    return attached(tagId).isEmpty() && delete(tagId);
  }

  // ---------------------------------------------------------------- internals

  private Optional<String> findCategory() {
    if (categoryId != null) {
      return Optional.of(categoryId);
    }
    String base = usesApi() ? API + "/category" : REST + "/category";
    for (JsonNode id : rest.get(base)) {
      JsonNode category = get(usesApi() ? base + "/" + encode(id.asText()) : base + "/id:" + encode(id.asText()));
      if (category != null && CATEGORY.equals(category.path("name").asText())) {
        categoryId = id.asText();
        return Optional.of(categoryId);
      }
    }
    return Optional.empty();
  }

  private String ensureCategory() {
    Optional<String> existing = findCategory();
    if (existing.isPresent()) {
      return existing.get();
    }
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("name", CATEGORY);
    spec.put("description", "One tag per Ferry job, on everything the job created in vCenter");
    spec.put("cardinality", "MULTIPLE");
    spec.put("associable_types", List.of());
    try {
      categoryId = create(usesApi() ? API + "/category" : REST + "/category", spec);
      return categoryId;
    } catch (FerryException e) {
      return findCategory().orElseThrow(() -> e);
    }
  }

  /** POSTs a create spec ({@code /rest} wraps it in {@code create_spec}); returns the new id. */
  private String create(String path, Map<String, Object> spec) {
    JsonNode id = rest.post(path, usesApi() ? spec : Map.of("create_spec", spec));
    if (!id.isTextual() || id.asText().isBlank()) {
      throw new FerryException(ErrorCode.CLOUD_REQUEST_REJECTED, "vCenter answered POST " + path + " with no id: " + id);
    }
    return id.asText();
  }

  private JsonNode get(String path) {
    try {
      return rest.get(path);
    } catch (FerryException e) {
      if (e.code() == ErrorCode.NOT_FOUND) {
        return null;
      }
      throw e;
    }
  }

  private String tagPath(String tagId) {
    return usesApi() ? API + "/tag/" + encode(tagId) : REST + "/tag/id:" + encode(tagId);
  }

  private String associationPath(String tagId, String action) {
    return usesApi()
        ? API + "/tag-association/" + encode(tagId) + "?action=" + action
        : REST + "/tag-association/id:" + encode(tagId) + "?~action=" + action;
  }

  private static String encode(String text) {
    return ContentLibrary.encode(text);
  }
}
