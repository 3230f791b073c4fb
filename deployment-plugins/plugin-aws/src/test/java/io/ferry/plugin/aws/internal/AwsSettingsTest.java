package io.ferry.plugin.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.ConfigProperty;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AwsSettingsTest {

  private static final Map<String, String> KEYS =
      Map.of(AwsSettings.ACCESS_KEY_ID, "AKIAEXAMPLE000000001", AwsSettings.SECRET_ACCESS_KEY, "very-secret-value");

  @Test
  void defaultsArePinned() {
    AwsSettings settings = AwsSettings.parse(new CloudAccountConfig("a", null, null, Map.of(), KEYS));
    assertThat(settings.region()).isEqualTo("us-east-1");
    assertThat(settings.endpoint()).isNull();
    assertThat(settings.sessionToken()).isNull();
    assertThat(settings.roleArn()).isNull();
    assertThat(settings.helperImageId()).isNull();
    assertThat(settings.helperInstanceType()).isEqualTo("t3.small");
    assertThat(settings.helperArmInstanceType()).isEqualTo("t4g.small");
    assertThat(settings.availabilityZone()).isEqualTo("us-east-1a");
    assertThat(settings.uploadParallelism()).isEqualTo(8);
    assertThat(settings.waitTimeout()).isEqualTo(Duration.ofHours(1));
    assertThat(settings.pollInterval()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void everyPropertyIsMapped() {
    Map<String, String> values = new HashMap<>();
    values.put(AwsSettings.ROLE_ARN, "arn:aws:iam::111122223333:role/ferry");
    values.put(AwsSettings.EXTERNAL_ID, "tenant-7");
    values.put(AwsSettings.HELPER_IMAGE_ID, "ami-0abc");
    values.put(AwsSettings.HELPER_INSTANCE_TYPE, "m6i.large");
    values.put(AwsSettings.HELPER_ARM_INSTANCE_TYPE, "m7g.large");
    values.put(AwsSettings.HELPER_SUBNET_ID, "subnet-1");
    values.put(AwsSettings.AVAILABILITY_ZONE, "eu-west-1c");
    values.put(AwsSettings.UPLOAD_PARALLELISM, "16");
    values.put(AwsSettings.WAIT_TIMEOUT_SECONDS, "120");
    values.put(AwsSettings.POLL_INTERVAL_MILLIS, "0");
    Map<String, String> secrets = new HashMap<>(KEYS);
    secrets.put(AwsSettings.SESSION_TOKEN, "token");
    AwsSettings settings = AwsSettings.parse(new CloudAccountConfig("a", "eu-west-1", "http://127.0.0.1:5000", values, secrets));
    assertThat(settings)
        .isEqualTo(new AwsSettings(
            "eu-west-1", URI.create("http://127.0.0.1:5000"), "AKIAEXAMPLE000000001", "very-secret-value", "token",
            "arn:aws:iam::111122223333:role/ferry", "tenant-7", "ami-0abc", "m6i.large", "m7g.large", "subnet-1", "eu-west-1c",
            16, Duration.ofSeconds(120), Duration.ZERO));
    assertThat(AwsSettings.PROPERTIES).extracting(ConfigProperty::key).containsExactlyInAnyOrderElementsOf(keysOf(values, secrets));
  }

  @Test
  void unknownKeysAndSecretsInSettingsAreRefused() {
    FerryException unknown = failure(new CloudAccountConfig("a", null, null, Map.of("bucket", "x"), KEYS));
    assertThat(unknown.getMessage()).contains("bucket");
    FerryException secretAsSetting =
        failure(new CloudAccountConfig("a", null, null, Map.of(AwsSettings.SECRET_ACCESS_KEY, "x"), KEYS));
    assertThat(secretAsSetting.getMessage()).contains(AwsSettings.SECRET_ACCESS_KEY);
    FerryException settingAsSecret =
        failure(new CloudAccountConfig("a", null, null, Map.of(), Map.of(AwsSettings.ACCESS_KEY_ID, "a", AwsSettings.SECRET_ACCESS_KEY, "b", AwsSettings.ROLE_ARN, "r")));
    assertThat(settingAsSecret.getMessage()).contains(AwsSettings.ROLE_ARN);
  }

  @Test
  void malformedValuesAreRefusedNamingTheKey() {
    assertThat(failure(new CloudAccountConfig("a", null, null, Map.of(AwsSettings.UPLOAD_PARALLELISM, "many"), KEYS)).getMessage())
        .contains(AwsSettings.UPLOAD_PARALLELISM);
    assertThat(failure(new CloudAccountConfig("a", null, null, Map.of(AwsSettings.UPLOAD_PARALLELISM, "0"), KEYS)).getMessage())
        .contains("1..64");
    assertThat(failure(new CloudAccountConfig("a", "Mars", null, Map.of(), KEYS)).getMessage()).contains("region");
    assertThat(failure(new CloudAccountConfig("a", null, "not a uri", Map.of(), KEYS)).getMessage()).contains("endpoint");
    assertThat(failure(new CloudAccountConfig("a", null, null, Map.of(), Map.of(AwsSettings.ACCESS_KEY_ID, "a"))).getMessage())
        .contains(AwsSettings.SECRET_ACCESS_KEY);
  }

  @Test
  void secretsAreNeverShown() {
    AwsSettings settings = AwsSettings.parse(new CloudAccountConfig("a", null, null, Map.of(), KEYS));
    assertThat(settings.toString()).doesNotContain("very-secret-value").doesNotContain("AKIAEXAMPLE000000001");
  }

  private static FerryException failure(CloudAccountConfig config) {
    FerryException failure = catchThrowableOfType(FerryException.class, () -> AwsSettings.parse(config));
    assertThat(failure).isNotNull();
    assertThat(failure.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    return failure;
  }

  private static java.util.Set<String> keysOf(Map<String, String> settings, Map<String, String> secrets) {
    java.util.Set<String> keys = new java.util.HashSet<>(settings.keySet());
    keys.addAll(secrets.keySet());
    return keys;
  }
}
