package io.ferry.plugin.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.plugin.aws.internal.AwsSettings;
import io.ferry.plugin.tck.TestDisk;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.spi.Architecture;
import io.ferry.standardization.spi.BootMode;
import io.ferry.standardization.spi.CleanupReport;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.CloudPlugin;
import io.ferry.standardization.spi.DirectUpload;
import io.ferry.standardization.spi.HelperRef;
import io.ferry.standardization.spi.HelperSpec;
import io.ferry.standardization.spi.JobTag;
import io.ferry.standardization.spi.RegisterRequest;
import io.ferry.standardization.spi.RegisteredImage;
import io.ferry.standardization.spi.UploadSpec;
import io.ferry.standardization.spi.VolumeRef;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin against a real AWS account. Runs only with {@code -Plive} and credentials given as
 * system properties; costs a few cents (EBS direct API calls, a 1 GiB snapshot for minutes, and
 * with a helper AMI a t3.small for a few minutes). Everything it creates carries its job tag and
 * is deleted at the end.
 *
 * <pre>
 * ./mvnw -Plive -pl deployment-plugins/plugin-aws verify \
 *   -Dferry.aws.accessKeyId=AKIA... -Dferry.aws.secretAccessKey=... \
 *   [-Dferry.aws.sessionToken=...] [-Dferry.aws.region=eu-west-1] [-Dferry.aws.roleArn=arn:aws:iam::...:role/ferry] \
 *   [-Dferry.aws.helperImageId=ami-... -Dferry.aws.availabilityZone=eu-west-1a]
 * </pre>
 */
class AwsPluginLiveTest {

  @TempDir Path folder;

  private CloudPlugin plugin;
  private JobTag tag;

  @BeforeEach
  void createPlugin() {
    String accessKey = System.getProperty("ferry.aws.accessKeyId");
    String secretKey = System.getProperty("ferry.aws.secretAccessKey");
    assumeTrue(accessKey != null && secretKey != null, "set -Dferry.aws.accessKeyId and -Dferry.aws.secretAccessKey to run live tests");
    Map<String, String> secrets = new HashMap<>(Map.of(AwsSettings.ACCESS_KEY_ID, accessKey, AwsSettings.SECRET_ACCESS_KEY, secretKey));
    copy("ferry.aws.sessionToken", AwsSettings.SESSION_TOKEN, secrets);
    Map<String, String> settings = new HashMap<>();
    copy("ferry.aws.roleArn", AwsSettings.ROLE_ARN, settings);
    copy("ferry.aws.helperImageId", AwsSettings.HELPER_IMAGE_ID, settings);
    copy("ferry.aws.availabilityZone", AwsSettings.AVAILABILITY_ZONE, settings);
    CloudAccountConfig config =
        new CloudAccountConfig("live", System.getProperty("ferry.aws.region", "us-east-1"), null, settings, secrets);
    plugin = new AwsCloudPluginFactory().create(config, new io.ferry.standardization.spi.PluginContext() {
      @Override
      public Clock clock() {
        return Clock.systemUTC();
      }

      @Override
      public Path scratchDirectory() {
        return folder;
      }
    });
    tag = new JobTag("live-" + UUID.randomUUID());
  }

  @AfterEach
  void cleanUp() {
    if (plugin != null) {
      CleanupReport report = plugin.deleteTagged(tag, List.of());
      plugin.close();
      assertThat(report.failed()).as("resources left in the account").isEmpty();
    }
  }

  @Test
  void diskUploadedAsAmiReadsBackIdenticalAndIsCleanedUp() throws Exception {
    plugin.validate();
    Path disk = TestDisk.write(folder.resolve("live.raw"), 8L << 20, 42);
    String snapshotId;
    try (DirectUpload upload = plugin.openDirectUpload(new UploadSpec("ferry-live", 8L << 20, BootMode.UEFI, Architecture.X86_64), tag)) {
      TestDisk.copyInto(disk, upload.writer());
      upload.writer().finish();
      snapshotId = upload.uploadId();
    }
    RegisteredImage image =
        plugin.registerImage(new RegisterRequest("ferry-live-" + tag.jobId(), "Ferry live test", snapshotId, BootMode.UEFI,
            Architecture.X86_64, true, "test disk", null, tag, Map.of()));
    assertThat(plugin.describeImage(image.imageId()).tags()).containsEntry(JobTag.KEY, tag.jobId());
    try (DiskImageReader reader = plugin.openImage(image.imageId(), tag)) {
      assertThat(TestDisk.extentViolation(reader)).isNull();
      assertThat(TestDisk.firstDifference(reader, disk)).isEqualTo(-1);
    }
    CleanupReport report = plugin.deleteTagged(tag, List.of());
    assertThat(report.deleted()).contains("image:" + image.imageId(), "snapshot:" + snapshotId);
    try {
      plugin.describeImage(image.imageId());
      throw new AssertionError("image still exists after cleanup");
    } catch (FerryException expected) {
      assertThat(expected.code()).isEqualTo(ErrorCode.NOT_FOUND);
    }
  }

  @Test
  void helperGetsAVolumeAndEverythingIsCleanedUp() {
    assumeTrue(System.getProperty("ferry.aws.helperImageId") != null, "set -Dferry.aws.helperImageId to test helper mode");
    HelperRef helper = plugin.launchHelper(new HelperSpec("debian", Architecture.X86_64, "#!/bin/sh\necho ferry\n", Map.of()), tag);
    VolumeRef volume = plugin.createVolume(1L << 30, tag);
    assertThat(plugin.attachVolume(volume, helper)).startsWith("/dev/");
    plugin.detachVolume(volume);
    plugin.terminateHelper(helper);
    plugin.deleteVolume(volume);
  }

  private static void copy(String property, String key, Map<String, String> target) {
    String value = System.getProperty(property);
    if (value != null && !value.isBlank()) {
      target.put(key, value);
    }
  }
}
