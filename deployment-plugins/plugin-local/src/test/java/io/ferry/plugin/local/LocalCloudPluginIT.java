package io.ferry.plugin.local;

import io.ferry.plugin.tck.CloudPluginContractTest;
import io.ferry.plugin.tck.SeedImage;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.CloudPluginFactory;
import io.ferry.standardization.spi.JobTag;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The plugin contract for a local account that registers raw images. */
class LocalCloudPluginIT extends CloudPluginContractTest {

  private static Path agentJar;

  @TempDir Path account;

  @BeforeAll
  static void buildFakeAgent(@TempDir Path directory) throws Exception {
    agentJar = FakeAgentJar.build(directory);
  }

  /** The format the account registers images in. */
  protected String format() {
    return "raw";
  }

  @Override
  protected CloudPluginFactory factory() {
    return new LocalCloudPluginFactory();
  }

  @Override
  protected CloudAccountConfig accountConfig() {
    return LocalAccounts.config(account, format(), agentJar);
  }

  @Override
  protected String seedImage(SeedImage image) throws Exception {
    return LocalAccounts.seed(account, image);
  }

  @Override
  protected String bootCheckUnavailableReason() {
    return LocalAccounts.qemuMissing();
  }

  @Override
  protected List<String> listTaggedResources(JobTag tag) throws Exception {
    return LocalAccounts.leftovers(account, tag);
  }
}
