package io.ferry.standardization.bundle.s3;

import java.net.URI;
import java.util.Objects;

/**
 * Where an S3-compatible bundle store lives. Credentials are never part of {@link #toString()}.
 *
 * @param bucket the bucket (must exist)
 * @param prefix a key prefix for every object, empty or ending in '/'
 * @param endpoint the S3 endpoint, or null for AWS's regional endpoint
 * @param region the signing region
 * @param pathStyle whether to address the bucket in the path (most S3-compatible servers)
 * @param accessKeyId the access key id, or null for the SDK's default credentials chain
 * @param secretAccessKey the secret key, or null for the default chain
 */
public record S3StoreConfig(
    String bucket,
    String prefix,
    URI endpoint,
    String region,
    boolean pathStyle,
    String accessKeyId,
    String secretAccessKey) {

  public S3StoreConfig {
    Objects.requireNonNull(bucket, "bucket");
    prefix = prefix == null ? "" : prefix;
    if (!prefix.isEmpty() && !prefix.endsWith("/")) {
      prefix = prefix + "/";
    }
    region = region == null ? "us-east-1" : region;
  }

  @Override
  public String toString() {
    return "s3://" + bucket + "/" + prefix + (endpoint == null ? "" : " at " + endpoint);
  }
}
