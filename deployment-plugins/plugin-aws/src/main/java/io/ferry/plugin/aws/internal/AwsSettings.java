package io.ferry.plugin.aws.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.ConfigProperty;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The typed configuration of one AWS account. Settings and secrets are parsed strictly: unknown
 * keys and malformed values are refused with INVALID_REQUEST naming the key. {@link #toString()}
 * never shows secrets.
 *
 * @param region the AWS region (the account's region, default {@value #DEFAULT_REGION})
 * @param endpoint an endpoint override for every service (a moto server), or null
 * @param accessKeyId the access key id
 * @param secretAccessKey the secret access key
 * @param sessionToken a session token for temporary credentials, or null
 * @param roleArn a role to assume through STS with the keys above, or null
 * @param externalId the external id the role's trust policy asks for, or null
 * @param helperImageId the AMI helpers are launched from, or null (then helper mode needs the
 *     helper spec's {@code imageId})
 * @param helperInstanceType the helper's instance type for x86-64 helpers
 * @param helperArmInstanceType the helper's instance type for ARM64 helpers
 * @param helperSubnetId the subnet helpers are launched into, or null for the default VPC
 * @param availabilityZone where volumes and helpers are created
 * @param uploadParallelism how many blocks are read or written at once
 * @param waitTimeout how long a waiter waits for a resource's state
 * @param pollInterval how long a waiter sleeps between two polls
 */
public record AwsSettings(
    String region,
    URI endpoint,
    String accessKeyId,
    String secretAccessKey,
    String sessionToken,
    String roleArn,
    String externalId,
    String helperImageId,
    String helperInstanceType,
    String helperArmInstanceType,
    String helperSubnetId,
    String availabilityZone,
    int uploadParallelism,
    Duration waitTimeout,
    Duration pollInterval) {

  /** The region used when the account names none. */
  public static final String DEFAULT_REGION = "us-east-1";

  public static final String ACCESS_KEY_ID = "accessKeyId";
  public static final String SECRET_ACCESS_KEY = "secretAccessKey";
  public static final String SESSION_TOKEN = "sessionToken";
  public static final String ROLE_ARN = "roleArn";
  public static final String EXTERNAL_ID = "externalId";
  public static final String HELPER_IMAGE_ID = "helperImageId";
  public static final String HELPER_INSTANCE_TYPE = "helperInstanceType";
  public static final String HELPER_ARM_INSTANCE_TYPE = "helperArmInstanceType";
  public static final String HELPER_SUBNET_ID = "helperSubnetId";
  public static final String AVAILABILITY_ZONE = "availabilityZone";
  public static final String UPLOAD_PARALLELISM = "uploadParallelism";
  public static final String WAIT_TIMEOUT_SECONDS = "waitTimeoutSeconds";
  public static final String POLL_INTERVAL_MILLIS = "pollIntervalMillis";

  /** Every key an AWS account accepts. */
  public static final List<ConfigProperty> PROPERTIES =
      List.of(
          new ConfigProperty(ACCESS_KEY_ID, "AWS access key id", true, true, null),
          new ConfigProperty(SECRET_ACCESS_KEY, "AWS secret access key", true, true, null),
          new ConfigProperty(SESSION_TOKEN, "session token of temporary credentials", false, true, null),
          new ConfigProperty(ROLE_ARN, "ARN of a role to assume through STS with the keys", false, false, null),
          new ConfigProperty(EXTERNAL_ID, "external id the role's trust policy requires", false, false, null),
          new ConfigProperty(HELPER_IMAGE_ID, "AMI helper VMs are launched from (helper mode)", false, false, null),
          new ConfigProperty(HELPER_INSTANCE_TYPE, "instance type of x86-64 helper VMs", false, false, "t3.small"),
          new ConfigProperty(HELPER_ARM_INSTANCE_TYPE, "instance type of ARM64 helper VMs", false, false, "t4g.small"),
          new ConfigProperty(HELPER_SUBNET_ID, "subnet of helper VMs (default VPC when unset)", false, false, null),
          new ConfigProperty(AVAILABILITY_ZONE, "availability zone of volumes and helpers (region + 'a' when unset)", false, false, null),
          new ConfigProperty(UPLOAD_PARALLELISM, "blocks read or written at once (1..64)", false, false, "8"),
          new ConfigProperty(WAIT_TIMEOUT_SECONDS, "how long to wait for snapshots, images, volumes and instances", false, false, "3600"),
          new ConfigProperty(POLL_INTERVAL_MILLIS, "pause between two polls of a waiter", false, false, "2000"));

  private static final Set<String> SECRET_KEYS = Set.of(ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN);

  /** Parses an account's configuration, refusing unknown keys and bad values. */
  public static AwsSettings parse(CloudAccountConfig config) {
    Set<String> unknown = new TreeSet<>();
    Map<String, String> values = new HashMap<>();
    for (ConfigProperty property : PROPERTIES) {
      if (property.defaultValue() != null) {
        values.put(property.key(), property.defaultValue());
      }
    }
    config.settings().forEach((key, value) -> {
      if (!known(key) || SECRET_KEYS.contains(key)) {
        unknown.add(key);
      } else {
        values.put(key, value);
      }
    });
    config.secrets().forEach((key, value) -> {
      if (!SECRET_KEYS.contains(key)) {
        unknown.add(key);
      } else {
        values.put(key, value);
      }
    });
    if (!unknown.isEmpty()) {
      throw invalid("unknown AWS account setting(s) " + unknown + "; known: " + keys());
    }
    for (ConfigProperty property : PROPERTIES) {
      String value = values.get(property.key());
      if (property.required() && (value == null || value.isBlank())) {
        throw invalid("AWS account setting " + property.key() + " is required");
      }
    }
    String region = blankToNull(config.region());
    region = region == null ? DEFAULT_REGION : region;
    if (!region.matches("[a-z]{2}(-[a-z]+)+-\\d+")) {
      throw invalid("AWS region is malformed: '" + region + "'");
    }
    URI endpoint = null;
    if (blankToNull(config.endpoint()) != null) {
      try {
        endpoint = URI.create(config.endpoint());
      } catch (IllegalArgumentException e) {
        throw invalid("AWS endpoint is not a URI: " + config.endpoint());
      }
      if (endpoint.getScheme() == null || endpoint.getHost() == null) {
        throw invalid("AWS endpoint needs a scheme and a host: " + config.endpoint());
      }
    }
    String zone = blankToNull(values.get(AVAILABILITY_ZONE));
    return new AwsSettings(
        region,
        endpoint,
        values.get(ACCESS_KEY_ID),
        values.get(SECRET_ACCESS_KEY),
        blankToNull(values.get(SESSION_TOKEN)),
        blankToNull(values.get(ROLE_ARN)),
        blankToNull(values.get(EXTERNAL_ID)),
        blankToNull(values.get(HELPER_IMAGE_ID)),
        values.get(HELPER_INSTANCE_TYPE),
        values.get(HELPER_ARM_INSTANCE_TYPE),
        blankToNull(values.get(HELPER_SUBNET_ID)),
        zone == null ? region + "a" : zone,
        intWithin(values, UPLOAD_PARALLELISM, 1, 64),
        Duration.ofSeconds(intWithin(values, WAIT_TIMEOUT_SECONDS, 1, 7 * 24 * 3600)),
        Duration.ofMillis(intWithin(values, POLL_INTERVAL_MILLIS, 0, 600_000)));
  }

  @Override
  public String toString() {
    return "AwsSettings[region=" + region + ", endpoint=" + endpoint + ", accessKeyId=" + mask(accessKeyId)
        + ", roleArn=" + roleArn + ", helperImageId=" + helperImageId + ", availabilityZone=" + availabilityZone
        + ", uploadParallelism=" + uploadParallelism + ", secrets hidden]";
  }

  private static String mask(String accessKeyId) {
    return accessKeyId == null || accessKeyId.length() < 8 ? "****" : accessKeyId.substring(0, 4) + "****";
  }

  private static boolean known(String key) {
    return PROPERTIES.stream().anyMatch(property -> property.key().equals(key));
  }

  private static List<String> keys() {
    List<String> keys = new ArrayList<>();
    PROPERTIES.forEach(property -> keys.add(property.key()));
    return keys;
  }

  private static int intWithin(Map<String, String> values, String key, int min, int max) {
    String value = values.get(key);
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed < min || parsed > max) {
        throw invalid("AWS account setting " + key + " must be within " + min + ".." + max + ": " + value);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw invalid("AWS account setting " + key + " is not a whole number: '" + value + "'");
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }

  private static FerryException invalid(String message) {
    return new FerryException(ErrorCode.INVALID_REQUEST, message);
  }
}
