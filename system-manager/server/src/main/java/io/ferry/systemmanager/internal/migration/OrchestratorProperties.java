package io.ferry.systemmanager.internal.migration;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code ferry.orchestrator.*} configuration: whether this server runs the migration workflow
 * (the orchestrator module) in-process, and where its files live.
 *
 * @param enabled run the real workflow; when false a recording stand-in only keeps migrations queued
 * @param workers steps this server runs at once (0: submit only, workers run elsewhere)
 * @param agentJar the guest agent's jar ({@code guest-agent/target/ferry-agent.jar} by default)
 * @param workDirectory scratch disks, one folder per job ({@code ${ferry.home}/work} when unset)
 * @param store the local bundle store ({@code ${ferry.home}/store} when unset and no S3 bucket is set)
 * @param s3 the S3-compatible bundle store, used instead of {@code store} when its bucket is set
 * @param controlPlaneUrl the base URL helpers call back (helper mode); unset: this server's own
 *     {@code http://127.0.0.1:<server.port>}, right on one machine; set it to the address helpers
 *     in a cloud can reach (a load balancer in front of the servers) at scale
 * @param agentTokenLifetime how long a helper's job token is valid (CLEANUP revokes it before)
 * @param helperSilenceLimit how long a helper's agent may stay silent before the step waiting for
 *     it fails (the helper is taken for dead)
 * @param helperPollInterval how often helpers poll for instructions (whole seconds, at least 1)
 */
@ConfigurationProperties("ferry.orchestrator")
public record OrchestratorProperties(
    @DefaultValue("false") boolean enabled,
    @DefaultValue("2") int workers,
    @DefaultValue("guest-agent/target/ferry-agent.jar") Path agentJar,
    Path workDirectory,
    Path store,
    @DefaultValue S3 s3,
    URI controlPlaneUrl,
    @DefaultValue("24h") Duration agentTokenLifetime,
    @DefaultValue("10m") Duration helperSilenceLimit,
    @DefaultValue("2s") Duration helperPollInterval) {

  /**
   * An S3-compatible bundle store shared by every server and worker. Credentials come from the AWS
   * SDK's default chain (environment {@code AWS_ACCESS_KEY_ID} / {@code AWS_SECRET_ACCESS_KEY}, a
   * profile, an instance role), never from this configuration.
   *
   * @param bucket the bucket, which must exist; unset: the local store
   * @param prefix a key prefix for every object
   * @param endpoint the endpoint of an S3-compatible server; unset: AWS's regional endpoint
   * @param region the signing region
   * @param pathStyle address the bucket in the path (most S3-compatible servers want it)
   */
  public record S3(String bucket, @DefaultValue("") String prefix, URI endpoint,
      @DefaultValue("us-east-1") String region, @DefaultValue("false") boolean pathStyle) {

    /** Whether an S3 store is configured. */
    public boolean configured() {
      return bucket != null && !bucket.isBlank();
    }
  }
}
