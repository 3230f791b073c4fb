package io.ferry.plugin.aws;

import io.ferry.standardization.testing.MotoServer;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.plugin.tck.CloudPluginContractTest;
import io.ferry.plugin.tck.SeedImage;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.CloudPluginFactory;
import io.ferry.standardization.spi.JobTag;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin contract against moto: list and describe seeded AMIs, export through the EBS direct
 * APIs, direct upload and register, helper mode (instances and volumes), cleanup by job tag.
 * Source AMIs are seeded through the test's own SDK clients, independent of the plugin.
 */
class AwsCloudPluginIT extends CloudPluginContractTest {

  @TempDir static Path motoFolder;

  private static MotoServer moto;
  private static MotoAccount account;
  private static String helperImageId;

  @BeforeAll
  static void startMoto() throws Exception {
    assumeTrue(MotoServer.executable().isPresent(), "moto_server is not installed; run scripts/test.sh");
    moto = MotoServer.start(motoFolder, Map.of());
    account = new MotoAccount(moto.endpoint());
    helperImageId = account.registerHelperImage();
  }

  @AfterAll
  static void stopMoto() throws Exception {
    if (account != null) {
      account.close();
    }
    if (moto != null) {
      moto.close();
    }
  }

  @Override
  protected CloudPluginFactory factory() {
    return new AwsCloudPluginFactory();
  }

  @Override
  protected CloudAccountConfig accountConfig() {
    return account.accountConfig(helperImageId);
  }

  @Override
  protected String seedImage(SeedImage image) throws Exception {
    return account.seedImage(image.name(), image.rawDisk(), image.bootMode(), image.architecture(), image.osName());
  }

  @Override
  protected List<String> listTaggedResources(JobTag tag) {
    return account.listTagged(tag);
  }
}
