package io.ferry.plugin.tck;

import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.CloudPluginFactory;
import io.ferry.standardization.spi.ImageInfo;
import io.ferry.standardization.spi.JobTag;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The contract applied to the in-memory fake (not run on its own: {@link
 * ContractCatchesBrokenPluginsIT} runs it and its broken variants and checks the outcomes).
 */
class InMemoryPluginContract extends CloudPluginContractTest {

  private final String accountId = "memory-" + UUID.randomUUID();

  @Override
  protected CloudPluginFactory factory() {
    return new InMemoryCloudPluginFactory();
  }

  @Override
  protected CloudAccountConfig accountConfig() {
    return new CloudAccountConfig(accountId, null, null, Map.of("bucket", "b"), Map.of());
  }

  @Override
  protected String seedImage(SeedImage image) throws Exception {
    String imageId = "seed-" + image.name();
    ImageInfo info =
        new ImageInfo(imageId, image.name(), "1", null, Files.size(image.rawDisk()), image.osName(),
            image.architecture(), image.bootMode(), null, Map.of(), null);
    InMemoryCloud.of(accountId).images.put(imageId, new InMemoryCloud.Image(info, Files.readAllBytes(image.rawDisk())));
    return imageId;
  }

  @Override
  protected List<String> listTaggedResources(JobTag tag) {
    InMemoryCloud cloud = InMemoryCloud.of(accountId);
    List<String> found = new ArrayList<>();
    cloud.helperJobs.forEach((id, job) -> add(found, job, tag, "helper:" + id));
    cloud.volumeJobs.forEach((id, job) -> add(found, job, tag, "volume:" + id));
    cloud.uploads.forEach((id, upload) -> add(found, upload.jobId(), tag, "upload:" + id));
    cloud.images.forEach((id, image) -> add(found, image.info().tags().get(JobTag.KEY), tag, "image:" + id));
    return found;
  }

  private static void add(List<String> found, String job, JobTag tag, String resource) {
    if (tag.jobId().equals(job)) {
      found.add(resource);
    }
  }
}
