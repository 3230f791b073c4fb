package io.ferry.plugin.vsphere;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.plugin.tck.CloudPluginContractTest;
import io.ferry.plugin.tck.SeedImage;
import io.ferry.plugin.tck.TestDisk;
import io.ferry.plugin.vsphere.internal.VsphereRest;
import io.ferry.plugin.vsphere.internal.VsphereSettings;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.spi.Capability;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.CloudPlugin;
import io.ferry.standardization.spi.CloudPluginFactory;
import io.ferry.standardization.spi.DirectUpload;
import io.ferry.standardization.spi.JobTag;
import io.ferry.standardization.spi.RegisterRequest;
import io.ferry.standardization.spi.UploadSpec;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The plugin TCK against vcsim. HELPER_MODE is not declared (vcsim's VMs run nothing, so no agent
 * could restore or inject in one; see the README), so the TCK skips its helper tests explicitly
 * with an assumption naming the capability.
 */
public class VsphereCloudPluginIT extends CloudPluginContractTest {

  static final String LIBRARY = "ferry-tck";

  private static Vcsim vcsim;

  @BeforeAll
  static void startVcsim() throws Exception {
    vcsim = Vcsim.start(Files.createTempDirectory("ferry-vcsim-tck"));
  }

  @AfterAll
  static void stopVcsim() throws Exception {
    if (vcsim != null) {
      vcsim.close();
    }
  }

  @Override
  protected CloudPluginFactory factory() {
    return new VsphereCloudPluginFactory();
  }

  @Override
  protected CloudAccountConfig accountConfig() {
    return new CloudAccountConfig("vsphere-tck", null, null, vcsim.settings(LIBRARY), vcsim.secrets());
  }

  @Override
  protected String seedImage(SeedImage image) throws Exception {
    JobTag seedTag = new JobTag("seed-" + UUID.randomUUID());
    try (CloudPlugin seeder = factory().create(accountConfig(), pluginContext())) {
      String uploadId;
      try (DirectUpload upload =
          seeder.openDirectUpload(
              new UploadSpec(image.name(), Files.size(image.rawDisk()), image.bootMode(), image.architecture()), seedTag)) {
        TestDisk.copyInto(image.rawDisk(), upload.writer());
        upload.writer().finish();
        uploadId = upload.uploadId();
      }
      return seeder
          .registerImage(
              new RegisterRequest(
                  image.name(), "seeded by the TCK", uploadId, image.bootMode(), image.architecture(), false,
                  image.osName(), null, seedTag, Map.of()))
          .imageId();
    }
  }

  @Override
  protected List<String> listTaggedResources(JobTag tag) throws Exception {
    return taggedResources(vcsim, LIBRARY, tag);
  }

  /**
   * What of the job is in vcsim, read straight from its REST API: the job's tag in the {@code
   * ferry-job} category (one entry per object it is attached to, or the bare tag when it is
   * attached to nothing), library items whose description carries the job's marker, and update
   * and download sessions of the job's items.
   */
  public static List<String> taggedResources(Vcsim vcsim, String library, JobTag tag) {
    CloudAccountConfig config = new CloudAccountConfig("inspector", null, null, vcsim.settings(library), vcsim.secrets());
    VsphereSettings settings = VsphereSettings.parse(config);
    List<String> found = new ArrayList<>();
    try (VsphereRest rest = new VsphereRest(settings, VsphereRest.httpClient(settings))) {
      Set<String> items = new HashSet<>();
      String tagging = "/rest/com/vmware/cis/tagging";
      for (JsonNode categoryId : rest.get(tagging + "/category")) {
        if (!rest.get(tagging + "/category/id:" + categoryId.asText()).path("name").asText().equals("ferry-job")) {
          continue;
        }
        for (JsonNode tagId : rest.post(tagging + "/tag/id:" + categoryId.asText() + "?~action=list-tags-for-category", Map.of())) {
          if (!rest.get(tagging + "/tag/id:" + tagId.asText()).path("name").asText().equals(tag.jobId())) {
            continue;
          }
          JsonNode objects =
              rest.post(tagging + "/tag-association/id:" + tagId.asText() + "?~action=list-attached-objects", Map.of());
          if (objects.isEmpty()) {
            found.add("tag:" + tagId.asText());
          }
          for (JsonNode object : objects) {
            found.add("tag:" + tagId.asText() + " on " + object.path("type").asText() + ":" + object.path("id").asText());
            if (object.path("type").asText().equals("com.vmware.content.library.Item")) {
              items.add(object.path("id").asText());
            }
          }
        }
      }
      for (JsonNode libraryId : rest.get("/rest/com/vmware/content/library")) {
        for (JsonNode itemId : rest.get("/rest/com/vmware/content/library/item?library_id=" + libraryId.asText())) {
          JsonNode item = rest.get("/rest/com/vmware/content/library/item/id:" + itemId.asText());
          if (item.path("description").asText("").contains("ferry:job-id=" + tag.jobId() + "\n")) {
            items.add(itemId.asText());
            found.add("library-item:" + itemId.asText() + " " + item.path("name").asText());
          }
        }
      }
      for (String kind : List.of("update-session", "download-session")) {
        String base = "/rest/com/vmware/content/library/item/" + kind;
        for (JsonNode sessionId : rest.get(base)) {
          JsonNode session = rest.get(base + "/id:" + sessionId.asText());
          if (items.contains(session.path("library_item_id").asText())) {
            found.add(kind + ":" + sessionId.asText() + " of " + session.path("library_item_id").asText());
          }
        }
      }
    }
    return found;
  }

  @Test
  void helperModeIsNotDeclaredAndItsOperationsAreUnsupported() {
    assertThat(factory().capabilities()).doesNotContain(Capability.HELPER_MODE);
    try (CloudPlugin plugin = factory().create(accountConfig(), pluginContext())) {
      assertThat(errorOf(() -> plugin.launchHelper(helperSpec(), new JobTag("helper")))).isEqualTo(ErrorCode.UNSUPPORTED);
      assertThat(errorOf(() -> plugin.createVolume(1L << 20, new JobTag("helper")))).isEqualTo(ErrorCode.UNSUPPORTED);
    }
  }
}
