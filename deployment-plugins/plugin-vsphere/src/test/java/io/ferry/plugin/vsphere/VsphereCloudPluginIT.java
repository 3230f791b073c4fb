package io.ferry.plugin.vsphere;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.plugin.tck.CloudPluginContractTest;
import io.ferry.plugin.tck.SeedImage;
import io.ferry.plugin.tck.TestDisk;
import io.ferry.plugin.vsphere.internal.VsphereRest;
import io.ferry.plugin.vsphere.internal.VsphereSettings;
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

/** The plugin TCK against vcsim. HELPER_MODE is not declared, so its contract tests are skipped. */
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
   * Library items whose description carries the job's marker, and update and download sessions
   * of those items, read straight from vcsim's REST API.
   */
  public static List<String> taggedResources(Vcsim vcsim, String library, JobTag tag) {
    CloudAccountConfig config = new CloudAccountConfig("inspector", null, null, vcsim.settings(library), vcsim.secrets());
    VsphereSettings settings = VsphereSettings.parse(config);
    List<String> found = new ArrayList<>();
    try (VsphereRest rest = new VsphereRest(settings, VsphereRest.httpClient(settings))) {
      Set<String> items = new HashSet<>();
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

}
