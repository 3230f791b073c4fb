package io.ferry.plugin.vsphere.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.plugin.tck.TestDisk;
import io.ferry.plugin.vsphere.RecordingHttpClient;
import io.ferry.plugin.vsphere.Vcsim;
import io.ferry.plugin.vsphere.VsphereCloudPluginIT;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImages;
import io.ferry.standardization.image.QemuImg;
import io.ferry.standardization.spi.Architecture;
import io.ferry.standardization.spi.BootMode;
import io.ferry.standardization.spi.CleanupReport;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.DirectUpload;
import io.ferry.standardization.spi.ImageInfo;
import io.ferry.standardization.spi.JobTag;
import io.ferry.standardization.spi.PluginContext;
import io.ferry.standardization.spi.RegisterRequest;
import io.ferry.standardization.spi.RegisteredImage;
import io.ferry.standardization.spi.UploadSpec;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The plugin against vcsim beyond the TCK: which session path it logs in with, library creation,
 * the exact requests of an upload, the OVF and VMDK it produced (checked with qemu-img against the
 * qcow2 the test image came from, since vcsim stores uploads without looking at them), export, and
 * OVF deploy to a VM template.
 */
class VsphereLibraryIT {

  private static final String OVF = "http://schemas.dmtf.org/ovf/envelope/1";
  private static final String VMW = "http://www.vmware.com/schema/ovf";
  private static final String VSSD = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData";
  private static final long DISK_SIZE = 8L << 20;

  private static Vcsim vcsim;

  @TempDir Path directory;

  @BeforeAll
  static void startVcsim() throws Exception {
    vcsim = Vcsim.start(Files.createTempDirectory("ferry-vcsim-library"));
  }

  @AfterAll
  static void stopVcsim() throws Exception {
    if (vcsim != null) {
      vcsim.close();
    }
  }

  @Test
  void loginFallsBackToTheRestSessionServiceAndLogsOutOnClose() throws Exception {
    VsphereSettings settings = settings("ferry-login", Map.of());
    RecordingHttpClient http = new RecordingHttpClient(VsphereRest.httpClient(settings));
    String sessionId;
    try (VsphereCloudPlugin plugin = new VsphereCloudPlugin(settings, context(), http)) {
      plugin.validate();
      sessionId = plugin.rest().login();
      assertThat(plugin.rest().sessionPath()).isEqualTo("/rest/com/vmware/cis/session");
    }
    List<String> calls = http.calls();
    assertThat(calls.get(0)).isEqualTo("POST /api/session -> 404 basic");
    assertThat(calls.get(1)).isEqualTo("POST /rest/com/vmware/cis/session -> 200 basic");
    assertThat(calls.get(calls.size() - 1)).isEqualTo("DELETE /rest/com/vmware/cis/session -> 200 session");
    try (VimInventory inspector = new VimInventory(settings, VsphereRest.httpClient(settings))) {
      assertThat(inspector.sessionUsers()).as("SOAP sessions left (only the inspector's own)").hasSize(1);
    }
    assertThat(calls.subList(2, calls.size()))
        .as("every REST call after login carries the session header and no password")
        .filteredOn(call -> call.contains("/rest/"))
        .allMatch(call -> call.endsWith(" session"));
    // the session is gone after close: vcsim refuses its id
    java.net.http.HttpRequest withOldSession =
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(vcsim.url() + "/rest/com/vmware/content/library"))
            .header(VsphereRest.SESSION_HEADER, sessionId)
            .build();
    assertThat(VsphereRest.httpClient(settings).send(withOldSession, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode())
        .isEqualTo(401);
  }

  @Test
  void libraryIsCreatedOnTheConfiguredDatastoreWhenAbsent() {
    String name = "ferry-created-" + UUID.randomUUID();
    VsphereSettings settings = settings(name, Map.of());
    try (VsphereCloudPlugin plugin = new VsphereCloudPlugin(settings, context())) {
      ContentLibrary library = new ContentLibrary(plugin.rest());
      assertThat(library.findLibrary(name)).isNull();
      assertThat(plugin.listImages()).as("listing does not create the library").isEmpty();
      assertThat(library.findLibrary(name)).isNull();

      plugin.validate();

      String id = library.findLibrary(name);
      assertThat(id).isNotNull();
      JsonNode created = plugin.rest().get("/rest/com/vmware/content/library/id:" + id);
      assertThat(created.path("name").asText()).isEqualTo(name);
      assertThat(created.path("type").asText()).isEqualTo("LOCAL");
      assertThat(created.path("storage_backings").get(0).path("datastore_id").asText())
          .isEqualTo(plugin.inventory().find(Vcsim.DATACENTER + "/datastore/" + Vcsim.DATASTORE).orElseThrow());
      plugin.validate();
      assertThat(library.findLibrary(name)).as("validating again reuses the library").isEqualTo(id);
    }
  }

  @Test
  void uploadOfAQcow2ImageSendsAnOvfTemplateThroughAnUpdateSessionAndReadsBackIdentical() throws Exception {
    Path raw = sparseRandomDisk(directory.resolve("source.raw"));
    Path qcow2 = directory.resolve("source.qcow2");
    QemuImg.convert(raw, "raw", qcow2, "qcow2");
    VsphereSettings settings = settings("ferry-upload", Map.of());
    RecordingHttpClient http = new RecordingHttpClient(VsphereRest.httpClient(settings));
    JobTag tag = new JobTag("upload-" + UUID.randomUUID());
    try (VsphereCloudPlugin plugin = new VsphereCloudPlugin(settings, context(), http)) {
      plugin.validate();
      int before = http.calls().size();
      String itemId;
      try (DirectUpload upload = plugin.openDirectUpload(new UploadSpec("debian-12", DISK_SIZE, BootMode.UEFI, Architecture.X86_64), tag);
          DiskImageReader source = DiskImages.open(qcow2)) {
        DiskImages.convert(source, upload.writer(), (done, total) -> {});
        itemId = upload.uploadId();
      }
      List<String> uploadCalls = http.calls().subList(before, http.calls().size());
      assertThat(uploadCalls)
          .containsSubsequence(
              "POST /rest/com/vmware/content/library/item -> 200 session",
              "POST /rest/com/vmware/content/library/item/update-session -> 200 session",
              "POST /rest/com/vmware/content/library/item/updatesession/file/id:* ~action=add -> 200 session",
              "PUT /rest/com/vmware/cis/data/*/disk.ovf -> 200 session",
              "POST /rest/com/vmware/content/library/item/updatesession/file/id:* ~action=add -> 200 session",
              "PUT /rest/com/vmware/cis/data/*/disk-1.vmdk -> 200 session",
              "POST /rest/com/vmware/content/library/item/updatesession/file/id:* ~action=validate -> 200 session",
              "POST /rest/com/vmware/content/library/item/update-session/id:* ~action=complete -> 200 session",
              "GET /rest/com/vmware/content/library/item/update-session/id:* -> 200 session",
              "DELETE /rest/com/vmware/content/library/item/update-session/id:* -> 200 session");
      assertThat(plugin.listImages()).as("an upload is not an image before it is registered").noneMatch(image -> image.id().equals(itemId));
      assertThat(VsphereCloudPluginIT.taggedResources(vcsim, "ferry-upload", tag))
          .as("the item carries the job's tag and marker")
          .hasSize(2)
          .anyMatch(entry -> entry.startsWith("tag:") && entry.endsWith(" on com.vmware.content.library.Item:" + itemId))
          .anyMatch(entry -> entry.startsWith("library-item:" + itemId));
      assertThat(uploadCalls)
          .as("vcsim lacks /api tagging: the /rest tagging service makes the category, the tag and the attachment")
          .containsSubsequence(
              "GET /api/cis/tagging/category -> 404 session",
              "GET /rest/com/vmware/cis/tagging/category -> 200 session",
              "POST /rest/com/vmware/cis/tagging/tag -> 200 session",
              "POST /rest/com/vmware/content/library/item -> 200 session",
              "POST /rest/com/vmware/cis/tagging/tag-association/id:* ~action=attach -> 200 session",
              "POST /rest/com/vmware/content/library/item/update-session -> 200 session");
      String tagId = plugin.jobTags().find(tag.jobId()).orElseThrow();
      JsonNode jobTag = plugin.rest().get(JobTags.REST + "/tag/id:" + tagId);
      assertThat(jobTag.path("name").asText()).isEqualTo(tag.jobId());
      JsonNode category = plugin.rest().get(JobTags.REST + "/category/id:" + jobTag.path("category_id").asText());
      assertThat(category.path("name").asText()).isEqualTo(JobTags.CATEGORY);
      assertThat(category.path("cardinality").asText()).isEqualTo("MULTIPLE");

      RegisteredImage registered =
          plugin.registerImage(
              new RegisterRequest("debian-12", "from AWS", itemId, BootMode.UEFI, Architecture.X86_64, true,
                  "Debian GNU/Linux 12", "vsphere", tag, Map.of("team", "platform")));
      ImageInfo image = plugin.describeImage(registered.imageId());
      assertThat(image.name()).isEqualTo("debian-12");
      assertThat(image.virtualSize()).isEqualTo(DISK_SIZE);
      assertThat(image.cloudLayer()).isEqualTo("vsphere");
      assertThat(image.tags()).containsEntry(JobTag.KEY, tag.jobId()).containsEntry("team", "platform");
      JsonNode item = plugin.rest().get("/rest/com/vmware/content/library/item/id:" + itemId);
      assertThat(item.path("name").asText()).isEqualTo("debian-12");
      assertThat(item.path("type").asText()).isEqualTo("ovf");
      assertThat(item.path("description").asText()).startsWith("from AWS\n\n").contains("ferry:job-id=" + tag.jobId() + "\n");

      // the files Ferry produced, as vcsim stored them
      ContentLibrary library = new ContentLibrary(plugin.rest());
      assertThat(library.files(itemId)).containsOnlyKeys("disk.ovf", "disk-1.vmdk");
      Path vmdk = directory.resolve("downloaded.vmdk");
      Path ovf = directory.resolve("downloaded.ovf");
      library.download(itemId, "disk-1.vmdk", vmdk);
      library.download(itemId, "disk.ovf", ovf);
      assertThat(QemuImg.check(vmdk, "vmdk").exitCode()).as("qemu-img check").isZero();
      assertThat(QemuImg.info(vmdk).path("format-specific").path("data").path("create-type").asText()).isEqualTo("streamOptimized");
      assertThat(QemuImg.info(vmdk).path("virtual-size").asLong()).isEqualTo(DISK_SIZE);
      QemuImg.Result compare = QemuImg.compare(vmdk, "vmdk", qcow2, "qcow2");
      assertThat(compare.exitCode()).as("qemu-img compare: %s", compare.output()).isZero();
      assertThat(Files.size(vmdk)).as("holes are not stored").isLessThan(DISK_SIZE / 2);

      Document descriptor = parseXml(ovf);
      Element file = (Element) descriptor.getElementsByTagNameNS(OVF, "File").item(0);
      assertThat(file.getAttributeNS(OVF, "href")).isEqualTo("disk-1.vmdk");
      assertThat(Long.parseLong(file.getAttributeNS(OVF, "size"))).isEqualTo(Files.size(vmdk));
      Element disk = (Element) descriptor.getElementsByTagNameNS(OVF, "Disk").item(0);
      assertThat(Long.parseLong(disk.getAttributeNS(OVF, "capacity"))).isEqualTo(DISK_SIZE);
      assertThat(disk.getAttributeNS(OVF, "format")).endsWith("#streamOptimized");
      Element firmware = (Element) descriptor.getElementsByTagNameNS(VMW, "Config").item(0);
      assertThat(firmware).as("UEFI image: firmware in the OVF").isNotNull();
      assertThat(firmware.getAttributeNS(VMW, "key") + "=" + firmware.getAttributeNS(VMW, "value")).isEqualTo("firmware=efi");
      assertThat(descriptor.getElementsByTagNameNS(VSSD, "VirtualSystemType").item(0).getTextContent()).isEqualTo("vmx-13");

      // export reads the same bytes
      try (DiskImageReader exported = plugin.openImage(itemId, tag)) {
        assertThat(TestDisk.firstDifference(exported, raw)).isEqualTo(-1);
      }
      assertThat(context().scratchDirectory()).isEmptyDirectory();

      CleanupReport report = plugin.deleteTagged(tag, List.of());
      assertThat(report.complete()).isTrue();
      assertThat(report.deleted()).contains("library-item:" + itemId).anyMatch(entry -> entry.startsWith("tag:"));
      assertThat(VsphereCloudPluginIT.taggedResources(vcsim, "ferry-upload", tag)).isEmpty();
    }
  }

  @Test
  void templateMadeOutsideFerryIsListedAndExportedIdentical() throws Exception {
    Path raw = sparseRandomDisk(directory.resolve("foreign.raw"));
    Path vmdk = directory.resolve("foreign-disk1.vmdk");
    QemuImg.convert(raw, "raw", vmdk, "vmdk", "-o", "subformat=streamOptimized");
    Path ovf = directory.resolve("foreign.ovf");
    Files.writeString(
        ovf,
        io.ferry.standardization.image.ova.OvfWriter.envelope(
            "foreign", "foreign-disk1.vmdk", Files.size(vmdk), DISK_SIZE, io.ferry.standardization.image.ova.OvfWriter.Hardware.DEFAULT));
    VsphereSettings settings = settings("ferry-foreign", Map.of());
    try (VsphereCloudPlugin plugin = new VsphereCloudPlugin(settings, context())) {
      ContentLibrary library = new ContentLibrary(plugin.rest());
      String itemId = library.createItem(plugin.ensureLibrary(), "hand-made template", "uploaded by a person");
      Map<String, Path> files = new java.util.LinkedHashMap<>();
      files.put("foreign.ovf", ovf);
      files.put("foreign-disk1.vmdk", vmdk);
      library.upload(itemId, files);

      ImageInfo listed = plugin.listImages().stream().filter(image -> image.id().equals(itemId)).findFirst().orElseThrow();
      assertThat(listed.name()).isEqualTo("hand-made template");
      assertThat(listed.cloudLayer()).isEqualTo("vsphere");
      assertThat(listed.bootMode()).isEqualTo(BootMode.UNKNOWN);
      assertThat(listed.tags()).isEmpty();
      try (DiskImageReader exported = plugin.openImage(itemId, new JobTag("export-" + UUID.randomUUID()))) {
        assertThat(exported.format()).isEqualTo(io.ferry.standardization.image.DiskFormat.VMDK_STREAM_OPTIMIZED);
        assertThat(exported.virtualSize()).isEqualTo(DISK_SIZE);
        assertThat(TestDisk.firstDifference(exported, raw)).isEqualTo(-1);
      }
      assertThat(plugin.rest().get(ContentLibrary.DOWNLOAD_SESSION)).as("download sessions after export").isEmpty();
      plugin.deleteImage(itemId);
      assertThat(library.item(itemId)).isNull();
    }
  }

  /** A template with a data disk listed first: the OVF's boot disk is exported, the other named. */
  @Test
  void templateWithTwoDisksExportsItsBootDiskAndNamesTheOther() throws Exception {
    Path raw = sparseRandomDisk(directory.resolve("boot.raw"));
    Path boot = directory.resolve("vm-boot.vmdk");
    QemuImg.convert(raw, "raw", boot, "vmdk", "-o", "subformat=streamOptimized");
    Path data = directory.resolve("vm-data.vmdk");
    QemuImg.run(List.of("create", "-f", "vmdk", "-o", "subformat=streamOptimized", data.toString(), "16M")).orThrow();
    Path ovf = directory.resolve("vm.ovf");
    Files.writeString(ovf, io.ferry.standardization.image.ova.TwoDiskOvf.envelope("vm-data.vmdk", 16L << 20, "vm-boot.vmdk", DISK_SIZE));
    VsphereSettings settings = settings("ferry-two-disks", Map.of());
    try (VsphereCloudPlugin plugin = new VsphereCloudPlugin(settings, context())) {
      ContentLibrary library = new ContentLibrary(plugin.rest());
      String itemId = library.createItem(plugin.ensureLibrary(), "two disks", "uploaded by a person");
      Map<String, Path> files = new java.util.LinkedHashMap<>();
      files.put("vm.ovf", ovf);
      files.put("vm-data.vmdk", data);
      files.put("vm-boot.vmdk", boot);
      library.upload(itemId, files);
      try (DiskImageReader exported = plugin.openImage(itemId, new JobTag("export-" + UUID.randomUUID()))) {
        assertThat(exported.virtualSize()).isEqualTo(DISK_SIZE);
        assertThat(TestDisk.firstDifference(exported, raw)).isEqualTo(-1);
        assertThat(exported.otherDisks()).containsExactly("disk data (file vm-data.vmdk, 16777216 bytes)");
      }
      plugin.deleteImage(itemId);
    }
  }

  @Test
  void uploadFailingMidwayDeletesItsItemAndSession() throws Exception {
    Path raw = sparseRandomDisk(directory.resolve("failing.raw"));
    VsphereSettings settings = settings("ferry-failing", Map.of());
    RecordingHttpClient http = new RecordingHttpClient(VsphereRest.httpClient(settings));
    http.failWhen(request -> request.method().equals("PUT") && request.uri().getPath().endsWith("/disk-1.vmdk"));
    JobTag tag = new JobTag("failing-" + UUID.randomUUID());
    try (VsphereCloudPlugin plugin = new VsphereCloudPlugin(settings, context(), http)) {
      DirectUpload upload = plugin.openDirectUpload(new UploadSpec("failing", DISK_SIZE, BootMode.BIOS, Architecture.X86_64), tag);
      TestDisk.copyInto(raw, upload.writer());
      io.ferry.standardization.FerryException failure =
          org.assertj.core.api.Assertions.catchThrowableOfType(io.ferry.standardization.FerryException.class, () -> upload.writer().finish());
      assertThat(failure.code()).isEqualTo(io.ferry.standardization.ErrorCode.CLOUD_UNAVAILABLE);
      assertThat(failure.retryable()).isTrue();
      upload.close();
      assertThat(http.calls())
          .containsSubsequence(
              "PUT /rest/com/vmware/cis/data/*/disk-1.vmdk -> -1 session",
              "POST /rest/com/vmware/content/library/item/update-session/id:* ~action=cancel -> 200 session",
              "DELETE /rest/com/vmware/content/library/item/update-session/id:* -> 200 session",
              "DELETE /rest/com/vmware/content/library/item/id:* -> 200 session",
              "POST /rest/com/vmware/cis/tagging/tag-association/id:* ~action=detach -> 200 session",
              "DELETE /rest/com/vmware/cis/tagging/tag/id:* -> 200 session");
      assertThat(VsphereCloudPluginIT.taggedResources(vcsim, "ferry-failing", tag)).as("item, tag or session left behind").isEmpty();
      assertThat(plugin.rest().get(ContentLibrary.UPDATE_SESSION)).as("update sessions").isEmpty();
      assertThat(context().scratchDirectory()).isEmptyDirectory();
    }
  }

  @Test
  void uploadWhoseTagCannotBeAttachedDeletesItsItemAndTag() throws Exception {
    Path raw = sparseRandomDisk(directory.resolve("untaggable.raw"));
    VsphereSettings settings = settings("ferry-untaggable", Map.of());
    RecordingHttpClient http = new RecordingHttpClient(VsphereRest.httpClient(settings));
    http.failWhen(request -> request.uri().getPath().contains("/tag-association/") && request.uri().getQuery().contains("action=attach"));
    JobTag tag = new JobTag("untaggable-" + UUID.randomUUID());
    try (VsphereCloudPlugin plugin = new VsphereCloudPlugin(settings, context(), http)) {
      DirectUpload upload = plugin.openDirectUpload(new UploadSpec("untaggable", DISK_SIZE, BootMode.BIOS, Architecture.X86_64), tag);
      TestDisk.copyInto(raw, upload.writer());
      io.ferry.standardization.FerryException failure =
          org.assertj.core.api.Assertions.catchThrowableOfType(io.ferry.standardization.FerryException.class, () -> upload.writer().finish());
      assertThat(failure.code()).isEqualTo(io.ferry.standardization.ErrorCode.CLOUD_UNAVAILABLE);
      upload.close();
      assertThat(http.calls())
          .as("nothing uploaded into an untagged item")
          .noneMatch(call -> call.contains("update-session"))
          .containsSubsequence(
              "POST /rest/com/vmware/content/library/item -> 200 session",
              "POST /rest/com/vmware/cis/tagging/tag-association/id:* ~action=attach -> -1 session",
              "DELETE /rest/com/vmware/content/library/item/id:* -> 200 session",
              "DELETE /rest/com/vmware/cis/tagging/tag/id:* -> 200 session");
      assertThat(VsphereCloudPluginIT.taggedResources(vcsim, "ferry-untaggable", tag)).as("item or tag left behind").isEmpty();
      assertThat(plugin.listImages()).isEmpty();
    }
  }

  @Test
  void vmTemplatesAccountsDeployTheItemToAVmMarkedAsTemplateAndCleanupDestroysIt() throws Exception {
    Path raw = sparseRandomDisk(directory.resolve("template.raw"));
    Map<String, String> extra = new HashMap<>();
    extra.put("vmTemplates", "true");
    extra.put("resourcePool", Vcsim.RESOURCE_POOL);
    VsphereSettings settings = settings("ferry-templates", extra);
    RecordingHttpClient http = new RecordingHttpClient(VsphereRest.httpClient(settings));
    JobTag tag = new JobTag("template-" + UUID.randomUUID());
    try (VsphereCloudPlugin plugin = new VsphereCloudPlugin(settings, context(), http)) {
      String itemId;
      try (DirectUpload upload = plugin.openDirectUpload(new UploadSpec("template", DISK_SIZE, BootMode.BIOS, Architecture.X86_64), tag)) {
        TestDisk.copyInto(raw, upload.writer());
        upload.writer().finish();
        itemId = upload.uploadId();
      }
      plugin.registerImage(
          new RegisterRequest("template", null, itemId, BootMode.BIOS, Architecture.X86_64, false, "Debian", null, tag, Map.of()));
      assertThat(http.calls()).contains("POST /rest/com/vmware/vcenter/ovf/library-item/id:* ~action=deploy -> 200 session");
      assertThat(plugin.describeImage(itemId).cloudLayer()).as("layer of an image that names none").isEqualTo("vsphere");
      String path = new TemplateDeployer(plugin).vmPath(itemId);
      String vm = plugin.inventory().find(path).orElseThrow(() -> new AssertionError("no VM at " + path));
      assertThat(plugin.inventory().isTemplate(vm)).as("VM %s is a template", vm).isTrue();
      assertThat(VsphereCloudPluginIT.taggedResources(vcsim, "ferry-templates", tag))
          .as("the template VM carries the job's tag")
          .anyMatch(entry -> entry.endsWith(" on VirtualMachine:" + vm));
      // registering again (a retried step) reuses the VM
      plugin.registerImage(
          new RegisterRequest("template", null, itemId, BootMode.BIOS, Architecture.X86_64, false, "Debian", null, tag, Map.of()));
      assertThat(http.calls()).filteredOn(call -> call.contains("~action=deploy")).hasSize(1);

      CleanupReport report = plugin.deleteTagged(tag, List.of());
      assertThat(report.complete()).isTrue();
      assertThat(report.deleted()).contains("vm:" + vm, "library-item:" + itemId).anyMatch(entry -> entry.startsWith("tag:"));
      assertThat(plugin.inventory().find(path)).isEmpty();
      assertThat(plugin.inventory().vmName(vm)).as("VM %s destroyed", vm).isEmpty();
      assertThat(VsphereCloudPluginIT.taggedResources(vcsim, "ferry-templates", tag)).as("left behind").isEmpty();
      assertThat(plugin.deleteTagged(tag, List.of()).deleted()).isEmpty();
    }
  }

  @Test
  void cleanupFindsTheJobsItemAndVmByTagAloneAndKeepsTheTagOnAKeptImage() throws Exception {
    Path raw = sparseRandomDisk(directory.resolve("by-tag.raw"));
    Map<String, String> extra = new HashMap<>();
    extra.put("vmTemplates", "true");
    extra.put("resourcePool", Vcsim.RESOURCE_POOL);
    JobTag tag = new JobTag("by-tag-" + UUID.randomUUID());
    try (VsphereCloudPlugin plugin = new VsphereCloudPlugin(settings("ferry-by-tag", extra), context())) {
      String kept = uploadAndRegister(plugin, raw, "kept", tag);
      String dropped = uploadAndRegister(plugin, raw, "dropped", tag);
      TemplateDeployer templates = new TemplateDeployer(plugin);
      String keptVm = templates.findTemplate(kept).orElseThrow();
      String droppedVm = templates.findTemplate(dropped).orElseThrow();
      // the dropped item loses its description marker: only the tag says it is the job's
      ContentLibrary library = new ContentLibrary(plugin.rest());
      library.updateItem(dropped, "dropped", "a person rewrote the description");
      assertThat(ItemMarker.read(library.item(dropped).path("description").asText())).isEmpty();

      CleanupReport report = plugin.deleteTagged(tag, List.of(kept));

      assertThat(report.complete()).as("%s", report).isTrue();
      assertThat(report.deleted()).containsExactlyInAnyOrder("vm:" + droppedVm, "library-item:" + dropped);
      assertThat(library.item(dropped)).isNull();
      assertThat(plugin.inventory().vmName(droppedVm)).isEmpty();
      assertThat(library.item(kept)).isNotNull();
      assertThat(plugin.inventory().vmName(keptVm)).contains(TemplateDeployer.vmName(kept));
      assertThat(VsphereCloudPluginIT.taggedResources(vcsim, "ferry-by-tag", tag))
          .as("the kept image and its template VM keep the job's tag")
          .anyMatch(entry -> entry.endsWith("Item:" + kept))
          .anyMatch(entry -> entry.endsWith("VirtualMachine:" + keptVm))
          .allMatch(entry -> entry.contains(kept) || entry.contains(keptVm));

      CleanupReport rollback = plugin.deleteTagged(tag, List.of());
      assertThat(rollback.deleted()).contains("vm:" + keptVm, "library-item:" + kept).anyMatch(entry -> entry.startsWith("tag:"));
      assertThat(VsphereCloudPluginIT.taggedResources(vcsim, "ferry-by-tag", tag)).isEmpty();
    }
  }

  @Test
  void itemOfAnOlderVersionWithOnlyTheDescriptionMarkerIsStillCleanedUp() {
    JobTag tag = new JobTag("marker-only-" + UUID.randomUUID());
    try (VsphereCloudPlugin plugin = new VsphereCloudPlugin(settings("ferry-marker-only", Map.of()), context())) {
      ContentLibrary library = new ContentLibrary(plugin.rest());
      String itemId =
          library.createItem(plugin.ensureLibrary(), "old upload", ItemMarker.write("Uploaded by Ferry", Map.of(ItemMarker.JOB_ID, tag.jobId())));
      assertThat(plugin.jobTags().find(tag.jobId())).as("no tag: made before tags").isEmpty();

      CleanupReport report = plugin.deleteTagged(tag, List.of());

      assertThat(report.complete()).isTrue();
      assertThat(report.deleted()).containsExactly("library-item:" + itemId);
      assertThat(library.item(itemId)).isNull();
    }
  }

  @Test
  void cleanupOfOneAccountLeavesTheSameJobsItemsInAnotherLibraryOfTheSameVcenter() throws Exception {
    Path raw = sparseRandomDisk(directory.resolve("shared.raw"));
    JobTag tag = new JobTag("two-accounts-" + UUID.randomUUID());
    try (VsphereCloudPlugin source = new VsphereCloudPlugin(settings("ferry-account-a", Map.of()), context());
        VsphereCloudPlugin target = new VsphereCloudPlugin(settings("ferry-account-b", Map.of()), context())) {
      String sourceItem = uploadAndRegister(source, raw, "a", tag);
      String targetItem = uploadAndRegister(target, raw, "b", tag);
      String tagId = source.jobTags().find(tag.jobId()).orElseThrow();
      assertThat(target.jobTags().find(tag.jobId())).as("one tag per job, shared").contains(tagId);

      assertThat(target.deleteTagged(tag, List.of(targetItem)).deleted()).isEmpty();
      CleanupReport sourceCleanup = source.deleteTagged(tag, List.of());

      assertThat(sourceCleanup.deleted()).containsExactly("library-item:" + sourceItem);
      assertThat(new ContentLibrary(target.rest()).item(targetItem)).as("the other account's kept image").isNotNull();
      assertThat(target.jobTags().attached(tagId))
          .containsExactly(new JobTags.TaggedObject(JobTags.ITEM_TYPE, targetItem));
      assertThat(target.deleteTagged(tag, List.of()).deleted()).contains("library-item:" + targetItem, "tag:" + tagId);
    }
  }

  // ---------------------------------------------------------------- helpers

  private String uploadAndRegister(VsphereCloudPlugin plugin, Path raw, String name, JobTag tag) throws Exception {
    String itemId;
    try (DirectUpload upload = plugin.openDirectUpload(new UploadSpec(name, DISK_SIZE, BootMode.BIOS, Architecture.X86_64), tag)) {
      TestDisk.copyInto(raw, upload.writer());
      upload.writer().finish();
      itemId = upload.uploadId();
    }
    plugin.registerImage(new RegisterRequest(name, null, itemId, BootMode.BIOS, Architecture.X86_64, false, "Debian", null, tag, Map.of()));
    return itemId;
  }

  private VsphereSettings settings(String library, Map<String, String> extra) {
    Map<String, String> settings = new HashMap<>(vcsim.settings(library));
    settings.putAll(extra);
    return VsphereSettings.parse(new CloudAccountConfig("vsphere-it", null, null, settings, vcsim.secrets()));
  }

  private PluginContext context() {
    Path scratch = directory.resolve("scratch");
    return new PluginContext() {
      @Override
      public Clock clock() {
        return Clock.systemUTC();
      }

      @Override
      public Path scratchDirectory() {
        try {
          return Files.createDirectories(scratch);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    };
  }

  /** 8 MiB: random data in a few runs, holes (never written) between them. */
  static Path sparseRandomDisk(Path file) throws Exception {
    Random random = new Random(42);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long[][] runs = {{0, 1 << 20}, {(3L << 20) + 4096, 512 << 10}, {(7L << 20) + 65536, 300_000}};
      for (long[] run : runs) {
        byte[] data = new byte[(int) run[1]];
        random.nextBytes(data);
        channel.write(ByteBuffer.wrap(data), run[0]);
      }
      channel.truncate(DISK_SIZE);
      if (channel.size() < DISK_SIZE) {
        channel.write(ByteBuffer.allocate(1), DISK_SIZE - 1);
      }
    }
    return file;
  }

  private static Document parseXml(Path file) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    return factory.newDocumentBuilder().parse(new ByteArrayInputStream(Files.readAllBytes(file)));
  }
}
