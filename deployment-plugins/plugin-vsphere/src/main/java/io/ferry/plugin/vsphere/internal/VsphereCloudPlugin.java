package io.ferry.plugin.vsphere.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImages;
import io.ferry.standardization.image.Extent;
import io.ferry.standardization.image.ova.OvfDescriptor;
import io.ferry.standardization.spi.Architecture;
import io.ferry.standardization.spi.BootMode;
import io.ferry.standardization.spi.CleanupReport;
import io.ferry.standardization.spi.CloudPlugin;
import io.ferry.standardization.spi.DirectUpload;
import io.ferry.standardization.spi.ImageInfo;
import io.ferry.standardization.spi.JobTag;
import io.ferry.standardization.spi.PluginContext;
import io.ferry.standardization.spi.PriceSheet;
import io.ferry.standardization.spi.RegisterRequest;
import io.ferry.standardization.spi.RegisteredImage;
import io.ferry.standardization.spi.UploadSpec;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * One vSphere account: images are OVF templates in one content library. See the plugin's README
 * for the protocol and what vcsim offers.
 */
public final class VsphereCloudPlugin implements CloudPlugin {

  /** The cloud layer of images that do not name one: whatever lives in vCenter carries VMware's. */
  static final String DEFAULT_LAYER = "vsphere";
  private static final long MAX_OVF_SIZE = 4L << 20;

  private final VsphereSettings settings;
  private final PluginContext context;
  private final VsphereRest rest;
  private final VimInventory inventory;
  private final ContentLibrary library;
  private final JobTags tags;
  private final PriceSheet prices;
  private String datastoreId;
  private String folderId;
  private String resourcePoolId;
  private String libraryId;

  /** A plugin for {@code settings}; nothing is sent to vCenter before the first operation. */
  public VsphereCloudPlugin(VsphereSettings settings, PluginContext context) {
    this(settings, context, VsphereRest.httpClient(settings));
  }

  /** A plugin whose requests go through {@code http} (tests wrap the client to record requests). */
  public VsphereCloudPlugin(VsphereSettings settings, PluginContext context, HttpClient http) {
    this.settings = settings;
    this.context = context;
    this.rest = new VsphereRest(settings, http);
    this.inventory = new VimInventory(settings, http);
    this.library = new ContentLibrary(rest);
    this.tags = new JobTags(rest);
    this.prices = VspherePrices.defaults();
  }

  /** The REST session (tests look at which login path was used). */
  public VsphereRest rest() {
    return rest;
  }

  @Override
  public void validate() {
    rest.login();
    resolveInventory();
    ensureLibrary();
  }

  @Override
  public List<ImageInfo> listImages() {
    String id = existingLibrary();
    List<ImageInfo> images = new ArrayList<>();
    if (id == null) {
      return images;
    }
    for (String itemId : library.itemIds(id)) {
      JsonNode item = library.item(itemId);
      if (item != null && isImage(item)) {
        images.add(describe(item));
      }
    }
    return images;
  }

  @Override
  public ImageInfo describeImage(String imageId) {
    return describe(image(imageId));
  }

  @Override
  public DiskImageReader openImage(String imageId, JobTag tag) {
    image(imageId);
    Map<String, Long> files = library.files(imageId);
    List<String> disks =
        files.keySet().stream().filter(name -> name.toLowerCase(java.util.Locale.ROOT).endsWith(".vmdk")).toList();
    if (disks.isEmpty()) {
      throw new FerryException(ErrorCode.IMAGE_FORMAT_UNKNOWN, "library item " + imageId + " has no .vmdk file");
    }
    Optional<String> ovf =
        files.keySet().stream().filter(name -> name.toLowerCase(java.util.Locale.ROOT).endsWith(".ovf")).findFirst();
    Path folder;
    try {
      folder = Files.createDirectories(context.scratchDirectory().resolve("export-" + UUID.randomUUID()));
    } catch (IOException e) {
      throw new FerryException(ErrorCode.IO_ERROR, "cannot create a scratch folder for the export", e);
    }
    try {
      String disk = disks.get(0);
      List<String> otherDisks = List.of();
      if (ovf.isPresent()) {
        // the template's OVF says which disk boots (the first the hardware attaches) and which others it has
        OvfDescriptor descriptor = descriptor(imageId, ovf.get(), files.get(ovf.get()), folder);
        disk = descriptor.boot().href();
        otherDisks = descriptor.otherDisks();
        if (!files.containsKey(disk)) {
          throw new FerryException(ErrorCode.IMAGE_CORRUPT,
              "the OVF of library item " + imageId + " names boot disk file " + disk + ", which the item lacks (it has "
                  + String.join(", ", files.keySet()) + ")");
        }
      }
      Path file = folder.resolve("disk.vmdk");
      library.download(imageId, disk, file);
      return new ScratchReader(DiskImages.open(file), folder, otherDisks);
    } catch (IOException | RuntimeException e) {
      ScratchFiles.deleteTree(folder);
      if (e instanceof FerryException ferry) {
        throw ferry;
      }
      throw new FerryException(ErrorCode.IO_ERROR, "cannot read the downloaded disk of library item " + imageId, e);
    }
  }

  @Override
  public DirectUpload openDirectUpload(UploadSpec spec, JobTag tag) {
    if (spec.virtualSize() <= 0) {
      throw new FerryException(ErrorCode.INVALID_REQUEST, "upload size must be positive: " + spec.virtualSize());
    }
    ensureLibrary();
    try {
      Files.createDirectories(context.scratchDirectory());
      return new VsphereDirectUpload(this, spec, tag, context.scratchDirectory());
    } catch (IOException e) {
      throw new FerryException(ErrorCode.IO_ERROR, "cannot create the scratch VMDK for " + spec.name(), e);
    }
  }

  /**
   * Creates the (unregistered) library item of an upload, tags it with the job's tag and uploads
   * its files; returns the item id. On failure the item is deleted, and the job's tag too when
   * nothing else carries it.
   */
  String uploadItem(UploadSpec spec, JobTag tag, Map<String, Path> files) {
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put(ItemMarker.JOB_ID, tag.jobId());
    facts.put(ItemMarker.NAME, spec.name());
    facts.put(ItemMarker.BOOT_MODE, spec.bootMode().name());
    facts.put(ItemMarker.ARCHITECTURE, spec.architecture().name());
    facts.put(ItemMarker.VIRTUAL_SIZE, Long.toString(spec.virtualSize()));
    facts.put(ItemMarker.REGISTERED, "false");
    String name = spec.name() + " [ferry upload " + UUID.randomUUID().toString().substring(0, 8) + "]";
    String libraryId = ensureLibrary();
    String tagId = tags.ensure(tag.jobId());
    String itemId = null;
    try {
      itemId = library.createItem(libraryId, name, ItemMarker.write("Uploaded by Ferry", facts));
      tags.attach(tagId, new JobTags.TaggedObject(JobTags.ITEM_TYPE, itemId));
      library.upload(itemId, files);
      return itemId;
    } catch (RuntimeException e) {
      try {
        if (itemId != null) {
          library.deleteItem(itemId);
          tags.detach(tagId, new JobTags.TaggedObject(JobTags.ITEM_TYPE, itemId));
        }
        tags.deleteIfUnused(tagId);
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  @Override
  public RegisteredImage registerImage(RegisterRequest request) {
    JsonNode item = library.item(request.source());
    if (item == null || !item.path("library_id").asText().equals(existingLibrary())) {
      throw new FerryException(ErrorCode.NOT_FOUND, "no uploaded library item " + request.source() + " in library " + settings.library());
    }
    Map<String, String> facts = ItemMarker.read(item.path("description").asText(null));
    if (!request.tag().jobId().equals(facts.get(ItemMarker.JOB_ID))) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST, "library item " + request.source() + " was not uploaded by job " + request.tag().jobId());
    }
    facts.put(ItemMarker.NAME, request.name());
    facts.put(ItemMarker.BOOT_MODE, request.bootMode().name());
    facts.put(ItemMarker.ARCHITECTURE, request.architecture().name());
    facts.put(ItemMarker.OS, request.osName());
    facts.put(ItemMarker.CLOUD_LAYER, request.cloudLayer());
    request.extraTags().forEach((key, value) -> facts.put(ItemMarker.TAG_PREFIX + key, value));
    facts.put(ItemMarker.REGISTERED, "true");
    String description = ItemMarker.write(request.description(), facts);
    try {
      library.updateItem(request.source(), request.name(), description);
    } catch (FerryException nameTaken) {
      // a vCenter that refuses a duplicate name keeps the upload's unique name
      library.updateItem(request.source(), item.path("name").asText(), description);
    }
    if (settings.vmTemplates()) {
      new TemplateDeployer(this).deployTemplate(request.source(), tags.ensure(request.tag().jobId()));
    }
    return new RegisteredImage(request.source(), settings.url() + "/ui/app/library/item/" + request.source());
  }

  /**
   * Deletes the image's template VM (also when the item is already gone) and item, detaches the
   * job's tag from both and deletes the tag when nothing else carries it.
   */
  @Override
  public void deleteImage(String imageId) {
    JsonNode item = library.item(imageId);
    String jobId = item == null ? null : ItemMarker.read(item.path("description").asText(null)).get(ItemMarker.JOB_ID);
    Optional<String> vm = new TemplateDeployer(this).destroyTemplate(imageId);
    library.deleteItem(imageId);
    Optional<String> tagId = jobId == null ? Optional.empty() : tags.find(jobId);
    if (tagId.isPresent()) {
      tags.detach(tagId.get(), new JobTags.TaggedObject(JobTags.ITEM_TYPE, imageId));
      vm.ifPresent(id -> tags.detach(tagId.get(), new JobTags.TaggedObject(JobTags.VM_TYPE, id)));
      tags.deleteIfUnused(tagId.get());
    }
  }

  /**
   * Deletes the job's resources: library items of this account's library that carry the job's tag
   * (or, made by versions before tags, the {@code ferry:job-id} line in their description), their
   * update and download sessions, VMs that carry the job's tag or are the template VM of such an
   * item, and finally the tag itself once nothing carries it any more. Kept images (and their
   * template VMs) keep the tag. Objects of other libraries (another account on the same vCenter)
   * are left alone; attachments to objects that are gone are detached.
   */
  @Override
  public CleanupReport deleteTagged(JobTag tag, List<String> keepImageIds) {
    List<String> deleted = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    String libraryId = existingLibrary();
    Optional<String> tagId = Optional.empty();
    List<JobTags.TaggedObject> attached = List.of();
    try {
      tagId = tags.find(tag.jobId());
      attached = tagId.map(tags::attached).orElse(List.of());
    } catch (FerryException e) {
      if (e.retryable()) {
        throw e; // the server is down or busy: the whole cleanup is retried
      }
      failed.add("tag:" + tag.jobId() + ": cannot read the job's tag: " + e.getMessage()); // the marker still finds items
    }
    Set<String> jobItems = new LinkedHashSet<>();
    List<String> taggedVms = new ArrayList<>();
    for (JobTags.TaggedObject object : attached) {
      if (object.type().equals(JobTags.ITEM_TYPE)) {
        JsonNode item = library.item(object.id());
        if (item == null) {
          detach(tagId.get(), object, failed); // the item is gone; vCenter may keep the attachment
        } else if (item.path("library_id").asText().equals(libraryId)) {
          jobItems.add(object.id());
        }
      } else if (object.type().equals(JobTags.VM_TYPE)) {
        taggedVms.add(object.id());
      }
    }
    if (libraryId != null) {
      for (String itemId : library.itemIds(libraryId)) {
        JsonNode item = jobItems.contains(itemId) ? null : library.item(itemId);
        if (item != null && tag.jobId().equals(ItemMarker.read(item.path("description").asText(null)).get(ItemMarker.JOB_ID))) {
          jobItems.add(itemId);
        }
      }
    }
    deleteSessions(jobItems, deleted, failed);
    Set<String> destroyed = new HashSet<>();
    for (String vm : taggedVms) {
      try {
        deleteTaggedVm(tagId.get(), vm, keepImageIds, deleted, destroyed);
      } catch (RuntimeException e) {
        failed.add("vm:" + vm + ": " + e.getMessage());
      }
    }
    TemplateDeployer templates = new TemplateDeployer(this);
    for (String itemId : jobItems) {
      if (keepImageIds.contains(itemId)) {
        continue;
      }
      try {
        Optional<String> vm = templates.findTemplate(itemId).filter(id -> !destroyed.contains(id));
        if (vm.isPresent()) {
          inventory.destroy(vm.get());
          deleted.add("vm:" + vm.get());
        }
        if (library.deleteItem(itemId)) {
          deleted.add("library-item:" + itemId);
        }
      } catch (RuntimeException e) {
        failed.add("library-item:" + itemId + ": " + e.getMessage());
        continue;
      }
      tagId.ifPresent(id -> detach(id, new JobTags.TaggedObject(JobTags.ITEM_TYPE, itemId), failed));
    }
    if (tagId.isPresent() && failed.isEmpty()) {
      try {
        if (tags.deleteIfUnused(tagId.get())) {
          deleted.add("tag:" + tagId.get());
        }
      } catch (RuntimeException e) {
        failed.add("tag:" + tagId.get() + ": " + e.getMessage());
      }
    }
    return new CleanupReport(deleted, failed);
  }

  /** Deletes the update and download sessions of {@code items}. */
  private void deleteSessions(Set<String> items, List<String> deleted, List<String> failed) {
    for (String base : List.of(ContentLibrary.UPDATE_SESSION, ContentLibrary.DOWNLOAD_SESSION)) {
      String kind = base.endsWith("update-session") ? "update-session:" : "download-session:";
      try {
        for (String session : library.sessionsOf(base, items)) {
          try {
            if (library.deleteSession(base, session)) {
              deleted.add(kind + session);
            }
          } catch (RuntimeException e) {
            failed.add(kind + session + ": " + e.getMessage());
          }
        }
      } catch (RuntimeException e) {
        failed.add(kind + "*: cannot list sessions: " + e.getMessage());
      }
    }
  }

  /**
   * Destroys a VM carrying the job's tag unless it is the template VM of a kept image or of an
   * item in another library, and detaches the tag from it; a VM that is gone is only detached.
   */
  private void deleteTaggedVm(String tagId, String vm, List<String> keepImageIds, List<String> deleted, Set<String> destroyed) {
    JobTags.TaggedObject object = new JobTags.TaggedObject(JobTags.VM_TYPE, vm);
    Optional<String> name = inventory.vmName(vm);
    if (name.isPresent()) {
      String itemId = name.get().startsWith("ferry-") ? name.get().substring("ferry-".length()) : "";
      if (keepImageIds.contains(itemId)) {
        return;
      }
      JsonNode item = itemId.isEmpty() ? null : library.item(itemId);
      if (item != null && !item.path("library_id").asText().equals(existingLibrary())) {
        return; // the template VM of another account's image
      }
      inventory.destroy(vm);
      destroyed.add(vm);
      deleted.add("vm:" + vm);
    }
    tags.detach(tagId, object);
  }

  private void detach(String tagId, JobTags.TaggedObject object, List<String> failed) {
    try {
      tags.detach(tagId, object);
    } catch (RuntimeException e) {
      failed.add("tag:" + tagId + " on " + object + ": " + e.getMessage());
    }
  }

  @Override
  public PriceSheet prices() {
    return prices;
  }

  @Override
  public void close() {
    inventory.close();
    rest.close();
  }

  // ---------------------------------------------------------------- internals

  VsphereSettings settings() {
    return settings;
  }

  VsphereRest restClient() {
    return rest;
  }

  VimInventory inventory() {
    return inventory;
  }

  JobTags jobTags() {
    return tags;
  }

  /** Resolves the datacenter, datastore, folder and resource pool settings to managed object ids. */
  synchronized void resolveInventory() {
    if (datastoreId != null) {
      return;
    }
    String datacenter = settings.datacenter();
    if (inventory.find(datacenter).isEmpty()) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST, "vSphere setting 'datacenter': no datacenter '" + datacenter + "' in " + settings.url());
    }
    String datastore =
        inventory.find(datacenter + "/datastore/" + settings.datastore())
            .orElseThrow(
                () -> new FerryException(
                    ErrorCode.INVALID_REQUEST,
                    "vSphere setting 'datastore': no datastore '" + settings.datastore() + "' in datacenter '" + datacenter + "'"));
    if (settings.folder() != null) {
      folderId =
          inventory.find(datacenter + "/vm/" + settings.folder())
              .orElseThrow(
                  () -> new FerryException(
                      ErrorCode.INVALID_REQUEST,
                      "vSphere setting 'folder': no VM folder '" + settings.folder() + "' in datacenter '" + datacenter + "'"));
    }
    if (settings.resourcePool() != null) {
      resourcePoolId =
          inventory.find(datacenter + "/host/" + settings.resourcePool())
              .orElseThrow(
                  () -> new FerryException(
                      ErrorCode.INVALID_REQUEST,
                      "vSphere setting 'resourcePool': no resource pool '" + settings.resourcePool() + "' in datacenter '"
                          + datacenter + "'"));
    }
    datastoreId = datastore;
  }

  synchronized String datastoreId() {
    resolveInventory();
    return datastoreId;
  }

  synchronized String folderId() {
    resolveInventory();
    return folderId;
  }

  synchronized String resourcePoolId() {
    resolveInventory();
    return resourcePoolId;
  }

  /** The library's id, creating it on the configured datastore when absent. */
  synchronized String ensureLibrary() {
    if (libraryId != null) {
      return libraryId;
    }
    String found = library.findLibrary(settings.library());
    libraryId = found != null ? found : library.createLibrary(settings.library(), datastoreId());
    return libraryId;
  }

  private synchronized String existingLibrary() {
    if (libraryId == null) {
      libraryId = library.findLibrary(settings.library());
    }
    return libraryId;
  }

  private JsonNode image(String imageId) {
    String id = existingLibrary();
    if (id == null) {
      throw new FerryException(
          ErrorCode.NOT_FOUND,
          "vSphere setting 'contentLibrary': no content library '" + settings.library() + "' in " + settings.url()
              + ", so no image " + imageId);
    }
    JsonNode item = library.item(imageId);
    if (item == null || !item.path("library_id").asText().equals(id) || !isImage(item)) {
      throw new FerryException(ErrorCode.NOT_FOUND, "no image " + imageId + " in content library " + settings.library());
    }
    return item;
  }

  private static boolean isImage(JsonNode item) {
    Map<String, String> facts = ItemMarker.read(item.path("description").asText(null));
    return item.path("type").asText("ovf").equalsIgnoreCase("ovf") && !"false".equals(facts.get(ItemMarker.REGISTERED));
  }

  private ImageInfo describe(JsonNode item) {
    Map<String, String> facts = ItemMarker.read(item.path("description").asText(null));
    Map<String, String> tags = new LinkedHashMap<>();
    if (facts.containsKey(ItemMarker.JOB_ID)) {
      tags.put(JobTag.KEY, facts.get(ItemMarker.JOB_ID));
    }
    facts.forEach(
        (key, value) -> {
          if (key.startsWith(ItemMarker.TAG_PREFIX)) {
            tags.put(key.substring(ItemMarker.TAG_PREFIX.length()), value);
          }
        });
    String version =
        item.path("content_version").asText("") + "@" + item.path("last_modified_time").asText(item.path("id").asText());
    return new ImageInfo(
        item.path("id").asText(),
        facts.getOrDefault(ItemMarker.NAME, item.path("name").asText()),
        version,
        DiskFormat.VMDK_STREAM_OPTIMIZED,
        parseLong(facts.get(ItemMarker.VIRTUAL_SIZE)),
        facts.get(ItemMarker.OS),
        parseEnum(Architecture.class, facts.get(ItemMarker.ARCHITECTURE), Architecture.UNKNOWN),
        parseEnum(BootMode.class, facts.get(ItemMarker.BOOT_MODE), BootMode.UNKNOWN),
        facts.getOrDefault(ItemMarker.CLOUD_LAYER, DEFAULT_LAYER),
        tags,
        parseInstant(item.path("creation_time").asText(null)));
  }

  private static long parseLong(String text) {
    try {
      return text == null ? -1 : Long.parseLong(text);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static <E extends Enum<E>> E parseEnum(Class<E> type, String text, E fallback) {
    try {
      return text == null ? fallback : Enum.valueOf(type, text);
    } catch (IllegalArgumentException e) {
      return fallback;
    }
  }

  private static Instant parseInstant(String text) {
    try {
      return text == null ? null : java.time.OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** Downloads and parses the item's OVF descriptor (at most {@link #MAX_OVF_SIZE} bytes). */
  private OvfDescriptor descriptor(String imageId, String name, Long size, Path folder) throws IOException {
    if (size != null && size > MAX_OVF_SIZE) {
      throw new FerryException(ErrorCode.IMAGE_CORRUPT,
          "the OVF " + name + " of library item " + imageId + " has " + size + " bytes, more than an OVF descriptor needs");
    }
    Path file = folder.resolve("item.ovf");
    library.download(imageId, name, file);
    if (Files.size(file) > MAX_OVF_SIZE) {
      throw new FerryException(ErrorCode.IMAGE_CORRUPT,
          "the OVF " + name + " of library item " + imageId + " has " + Files.size(file) + " bytes, more than an OVF descriptor needs");
    }
    return OvfDescriptor.parse(Files.readAllBytes(file), "the OVF " + name + " of library item " + imageId);
  }

  /** A reader of a downloaded VMDK that deletes its scratch folder when closed. */
  private record ScratchReader(DiskImageReader reader, Path folder, List<String> otherDisks) implements DiskImageReader {
    @Override
    public DiskFormat format() {
      return reader.format();
    }

    @Override
    public long virtualSize() {
      return reader.virtualSize();
    }

    @Override
    public Iterator<Extent> extents() throws IOException {
      return reader.extents();
    }

    @Override
    public void read(long offset, ByteBuffer destination) throws IOException {
      reader.read(offset, destination);
    }

    @Override
    public List<String> otherDisks() {
      return otherDisks;
    }

    @Override
    public void close() throws IOException {
      try {
        reader.close();
      } finally {
        ScratchFiles.deleteTree(folder);
      }
    }
  }
}
