package io.ferry.plugin.aws.internal;

import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ebs.EbsClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;
import software.amazon.awssdk.services.sts.model.AssumeRoleRequest;

/**
 * The SDK clients of one account, sharing one pooled HTTP client. EC2 and STS retry through the
 * SDK's standard strategy; EBS direct calls do not, because {@link Backoff} retries them (one
 * layer of retries, not two).
 */
public final class AwsClients implements AutoCloseable {

  private final SdkHttpClient http;
  private final StsClient baseSts;
  private final AwsCredentialsProvider credentials;
  private final Ec2Client ec2;
  private final EbsClient ebs;
  private final StsClient sts;

  /** Builds the clients for {@code settings}; {@code interceptors} see every request. */
  public AwsClients(AwsSettings settings, List<ExecutionInterceptor> interceptors) {
    this.http =
        ApacheHttpClient.builder()
            .maxConnections(settings.uploadParallelism() * 2 + 8)
            .connectionTimeout(Duration.ofSeconds(10))
            .socketTimeout(Duration.ofSeconds(120))
            .build();
    Region region = Region.of(settings.region());
    AwsCredentialsProvider keys =
        StaticCredentialsProvider.create(
            settings.sessionToken() == null
                ? AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey())
                : AwsSessionCredentials.create(settings.accessKeyId(), settings.secretAccessKey(), settings.sessionToken()));
    ClientOverrideConfiguration standard =
        ClientOverrideConfiguration.builder()
            .retryStrategy(RetryMode.STANDARD)
            .executionInterceptors(List.copyOf(interceptors))
            .apiCallTimeout(Duration.ofMinutes(5))
            .build();
    var baseStsBuilder = StsClient.builder().httpClient(http).region(region).credentialsProvider(keys).overrideConfiguration(standard);
    if (settings.endpoint() != null) {
      baseStsBuilder.endpointOverride(settings.endpoint());
    }
    this.baseSts = baseStsBuilder.build();
    if (settings.roleArn() != null) {
      AssumeRoleRequest.Builder assume =
          AssumeRoleRequest.builder().roleArn(settings.roleArn()).roleSessionName("ferry").durationSeconds(3600);
      if (settings.externalId() != null) {
        assume.externalId(settings.externalId());
      }
      this.credentials =
          StsAssumeRoleCredentialsProvider.builder().stsClient(baseSts).refreshRequest(assume.build()).build();
    } else {
      this.credentials = keys;
    }
    var ec2Builder = Ec2Client.builder().httpClient(http).region(region).credentialsProvider(credentials).overrideConfiguration(standard);
    var stsBuilder = StsClient.builder().httpClient(http).region(region).credentialsProvider(credentials).overrideConfiguration(standard);
    var ebsBuilder =
        EbsClient.builder()
            .httpClient(http)
            .region(region)
            .credentialsProvider(credentials)
            .overrideConfiguration(
                ClientOverrideConfiguration.builder()
                    .retryStrategy(AwsRetryStrategy.doNotRetry())
                    .executionInterceptors(List.copyOf(interceptors))
                    .apiCallTimeout(Duration.ofMinutes(2))
                    .build());
    if (settings.endpoint() != null) {
      ec2Builder.endpointOverride(settings.endpoint());
      stsBuilder.endpointOverride(settings.endpoint());
      ebsBuilder.endpointOverride(settings.endpoint());
    }
    this.ec2 = ec2Builder.build();
    this.sts = stsBuilder.build();
    this.ebs = ebsBuilder.build();
  }

  /** EC2: images, snapshots, volumes, instances, tags. */
  public Ec2Client ec2() {
    return ec2;
  }

  /** The EBS direct APIs: snapshot blocks. */
  public EbsClient ebs() {
    return ebs;
  }

  /** STS with the account's effective credentials (after assuming the role, if any). */
  public StsClient sts() {
    return sts;
  }

  @Override
  public void close() {
    ec2.close();
    ebs.close();
    sts.close();
    if (credentials instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception ignored) {
        // closing a credentials cache cannot fail in a way that matters here
      }
    }
    baseSts.close();
    http.close();
  }
}
