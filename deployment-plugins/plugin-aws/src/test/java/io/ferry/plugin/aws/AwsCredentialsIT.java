package io.ferry.plugin.aws;

import io.ferry.standardization.testing.MotoServer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.plugin.aws.internal.AwsSettings;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.spi.Architecture;
import io.ferry.standardization.spi.BootMode;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.CloudPlugin;
import io.ferry.standardization.spi.JobTag;
import io.ferry.standardization.spi.UploadSpec;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;

/**
 * Wrong credentials and missing permissions against moto with IAM enforcement on
 * ({@code INITIAL_NO_AUTH_ACTION_COUNT=2}: the test's first two calls create a user without any
 * policy and its access key; every later request is authenticated and authorised like on AWS).
 */
class AwsCredentialsIT {

  @TempDir static Path motoFolder;
  @TempDir Path folder;

  private static MotoServer moto;
  private static AccessKey powerless;

  @BeforeAll
  static void startMoto() throws Exception {
    assumeTrue(MotoServer.executable().isPresent(), "moto_server is not installed; run scripts/test.sh");
    moto = MotoServer.start(motoFolder, Map.of("INITIAL_NO_AUTH_ACTION_COUNT", "2"));
    try (IamClient iam =
        IamClient.builder()
            .endpointOverride(moto.endpoint())
            .region(Region.AWS_GLOBAL)
            .httpClient(ApacheHttpClient.create())
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAFERRYSETUP000001", "setup")))
            .build()) {
      iam.createUser(request -> request.userName("ferry-without-policies"));
      powerless = iam.createAccessKey(request -> request.userName("ferry-without-policies")).accessKey();
    }
  }

  @AfterAll
  static void stopMoto() throws Exception {
    if (moto != null) {
      moto.close();
    }
  }

  @Test
  void unknownAccessKeyIsAnAuthenticationFailure() {
    try (CloudPlugin plugin = plugin("AKIAFERRYUNKNOWN0001", "whatever")) {
      FerryException failure = catchThrowableOfType(FerryException.class, plugin::validate);
      assertThat(failure.code()).as(failure.getMessage()).isEqualTo(ErrorCode.CLOUD_AUTHENTICATION_FAILED);
      // moto answers STS errors in EC2's XML shape, which the SDK cannot read: only the 403 is
      // known here (AwsErrorResponsesIT checks STS's real error document).
      assertThat(failure.getMessage()).contains("GetCallerIdentity").contains("403").contains("access key");
      assertThat(failure.retryable()).isFalse();
      FerryException listing = catchThrowableOfType(FerryException.class, plugin::listImages);
      assertThat(listing.code()).isEqualTo(ErrorCode.CLOUD_AUTHENTICATION_FAILED);
      assertThat(listing.getMessage()).contains("AuthFailure");
    }
  }

  @Test
  void wrongSecretIsAnAuthenticationFailureAndIsNeverShown() {
    String secret = "ferry-wrong-secret-1234567890";
    try (CloudPlugin plugin = plugin(powerless.accessKeyId(), secret)) {
      FerryException failure = catchThrowableOfType(FerryException.class, plugin::validate);
      assertThat(failure.code()).as(failure.getMessage()).isEqualTo(ErrorCode.CLOUD_AUTHENTICATION_FAILED);
      assertThat(failure.getMessage()).doesNotContain(secret);
      FerryException listing = catchThrowableOfType(FerryException.class, plugin::listImages);
      assertThat(listing.code()).isEqualTo(ErrorCode.CLOUD_AUTHENTICATION_FAILED);
      assertThat(listing.getMessage()).contains("AuthFailure").doesNotContain(secret);
    }
  }

  @Test
  void validKeysWithoutPoliciesArePermissionDenied() {
    try (CloudPlugin plugin = plugin(powerless.accessKeyId(), powerless.secretAccessKey())) {
      plugin.validate(); // GetCallerIdentity needs no permission, like on AWS
      FerryException listing = catchThrowableOfType(FerryException.class, plugin::listImages);
      assertThat(listing.code()).isEqualTo(ErrorCode.CLOUD_PERMISSION_DENIED);
      assertThat(listing.getMessage()).contains("AccessDenied").contains("ec2:DescribeImages");
      FerryException upload =
          catchThrowableOfType(
              FerryException.class,
              () -> plugin.openDirectUpload(new UploadSpec("denied", 1 << 20, BootMode.UEFI, Architecture.X86_64), new JobTag("it-denied")));
      assertThat(upload.code()).isEqualTo(ErrorCode.CLOUD_PERMISSION_DENIED);
    }
  }

  private CloudPlugin plugin(String accessKey, String secret) {
    CloudAccountConfig config =
        new CloudAccountConfig(
            "moto-auth", "us-east-1", moto.endpoint().toString(), Map.of(AwsSettings.POLL_INTERVAL_MILLIS, "0"),
            Map.of(AwsSettings.ACCESS_KEY_ID, accessKey, AwsSettings.SECRET_ACCESS_KEY, secret));
    return new AwsCloudPluginFactory().create(config, TestContexts.fixed(folder));
  }
}
