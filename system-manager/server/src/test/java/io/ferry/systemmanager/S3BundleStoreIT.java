package io.ferry.systemmanager;

import io.ferry.standardization.testing.MotoServer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.systemmanager.internal.migration.OrchestratorConfiguration;
import io.ferry.systemmanager.internal.migration.OrchestratorProperties;
import io.ferry.systemmanager.internal.tenant.Role;
import io.ferry.systemmanager.support.Api;
import io.ferry.systemmanager.support.WorkflowIntegrationTest;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The server with its bundle store on S3 ({@code ferry.orchestrator.s3.*}, the store several
 * servers and workers share) against a moto server on loopback: a migration between two local
 * accounts stores its bundle's chunks and manifest in the bucket, and a store whose bucket does not
 * exist is refused at start with the reason. Root only (the agent loop-mounts the disk).
 */
class S3BundleStoreIT extends WorkflowIntegrationTest {

  private static final String BUCKET = "ferry-bundles";
  private static final String PREFIX = "site-a/";
  private static MotoServer moto;

  @TempDir Path directory;

  @DynamicPropertySource
  static void s3Store(DynamicPropertyRegistry registry) throws Exception {
    if (MotoServer.executable().isEmpty()) {
      return; // the tests below are skipped, saying why
    }
    moto = MotoServer.start(Files.createTempDirectory("ferry-s3-store-moto"), Map.of());
    // The store takes its credentials from the SDK's default chain, as in production.
    System.setProperty("aws.accessKeyId", "AKIAFERRYTEST");
    System.setProperty("aws.secretAccessKey", "ferry-test-secret");
    try (S3Client client = client()) {
      client.createBucket(request -> request.bucket(BUCKET));
    }
    registry.add("ferry.orchestrator.s3.bucket", () -> BUCKET);
    registry.add("ferry.orchestrator.s3.prefix", () -> PREFIX);
    registry.add("ferry.orchestrator.s3.endpoint", () -> moto.endpoint().toString());
    registry.add("ferry.orchestrator.s3.path-style", () -> "true");
  }

  @AfterAll
  static void stopMoto() throws InterruptedException {
    if (moto != null) {
      moto.close();
    }
  }

  @Test
  void aMigrationKeepsItsBundleInTheBucket() throws Exception {
    assumeTrue(moto != null, "moto is not installed (.ferry/venv/bin/moto_server): run scripts/test.sh");
    assumeTrue("root".equals(System.getProperty("user.name")), "loop devices and mounts need root");
    assumeTrue(workflowRuns(), "the real migration workflow is not in this server");
    Api admin = as(user(tenant("acme"), "alice", Role.ADMIN));
    Path sourceFolder = Files.createDirectories(directory.resolve("aws/images"));
    Path targetFolder = Files.createDirectories(directory.resolve("kvm/images"));
    sampleDisk(Files.createDirectories(directory.resolve("work")), sourceFolder.resolve("debian-12.raw"));
    String source = localAccount(admin, "aws-lab", sourceFolder.getParent(), "raw", "aws");
    String target = localAccount(admin, "kvm-lab", targetFolder.getParent(), "qcow2", "kvm");
    assertThat(admin.post("/api/v1/cloud-accounts/" + source + "/images/refresh", null).status()).isEqualTo(200);

    Api.Response created = admin.post("/api/v1/migrations", Map.of("sourceAccountId", source,
        "sourceImageId", "debian-12.raw", "targetAccountId", target, "options", Map.of("name", "debian-12-kvm")));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    String id = created.json().get("id").asText();
    JsonNode end = awaitEnd(admin, id);
    JsonNode report = admin.get("/api/v1/migrations/" + id + "/report").json();
    assertThat(end.get("state").asText()).as(report.toString()).isEqualTo("SUCCEEDED");
    assertThat(targetFolder.resolve("debian-12-kvm.qcow2")).isRegularFile();

    try (S3Client client = client()) {
      List<String> keys = client.listObjectsV2Paginator(request -> request.bucket(BUCKET)).contents().stream()
          .map(S3Object::key).toList();
      assertThat(keys).as("every object under the configured prefix").allMatch(key -> key.startsWith(PREFIX));
      List<String> manifests = keys.stream().filter(key -> key.startsWith(PREFIX + "manifests/")).toList();
      assertThat(manifests).as(keys.toString()).hasSize(1);
      assertThat(manifests.get(0)).contains(report.get("bundleId").asText());
      long chunks = keys.stream().filter(key -> key.startsWith(PREFIX + "chunks/")).count();
      assertThat(chunks).as(keys.toString()).isPositive();
    }
  }

  @Test
  void aBucketThatDoesNotExistStopsTheServerWithTheReason() {
    assumeTrue(moto != null, "moto is not installed (.ferry/venv/bin/moto_server): run scripts/test.sh");
    var properties = new OrchestratorProperties(true, 1,
        Path.of("agent.jar"), null, null, new OrchestratorProperties.S3(
            "no-such-bucket", "", moto.endpoint(), "us-east-1", true), null, java.time.Duration.ofHours(24),
        java.time.Duration.ofMinutes(10), java.time.Duration.ofSeconds(2));
    assertThatThrownBy(() -> OrchestratorConfiguration.chunkStore(
        properties, directory, java.time.Clock.systemUTC()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("s3://no-such-bucket/")
        .hasMessageContaining("cannot be used");
  }

  private static S3Client client() {
    return S3Client.builder().endpointOverride(moto.endpoint()).region(Region.US_EAST_1)
        .forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAFERRYTEST", "ferry-test-secret")))
        .build();
  }
}
