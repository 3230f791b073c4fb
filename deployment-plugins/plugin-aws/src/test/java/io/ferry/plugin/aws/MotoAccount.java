package io.ferry.plugin.aws;

import io.ferry.plugin.aws.internal.AwsSettings;
import io.ferry.standardization.spi.Architecture;
import io.ferry.standardization.spi.BootMode;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.JobTag;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ebs.EbsClient;
import software.amazon.awssdk.services.ebs.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.ebs.model.StartSnapshotResponse;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.ArchitectureValues;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.BootModeValues;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * The test's own view of a moto account, independent of the plugin: SDK clients to seed source
 * images (a snapshot written with the EBS direct API, an AMI registered from it) and to list what
 * a job left behind by its tag.
 */
final class MotoAccount implements AutoCloseable {

  static final String ACCESS_KEY = "AKIAFERRYTEST0000001";
  static final String SECRET_KEY = "ferry-test-secret-not-a-real-one";

  private final URI endpoint;
  private final Ec2Client ec2;
  private final EbsClient ebs;

  MotoAccount(URI endpoint) {
    this.endpoint = endpoint;
    var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
    this.ec2 =
        Ec2Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).credentialsProvider(credentials)
            .httpClient(ApacheHttpClient.create()).build();
    this.ebs =
        EbsClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1).credentialsProvider(credentials)
            .httpClient(ApacheHttpClient.create()).build();
  }

  Ec2Client ec2() {
    return ec2;
  }

  EbsClient ebs() {
    return ebs;
  }

  /** An account configuration for the plugin: moto's endpoint, fast polls, a helper AMI. */
  CloudAccountConfig accountConfig(String helperImageId) {
    Map<String, String> settings = new HashMap<>();
    settings.put(AwsSettings.POLL_INTERVAL_MILLIS, "0");
    settings.put(AwsSettings.WAIT_TIMEOUT_SECONDS, "60");
    if (helperImageId != null) {
      settings.put(AwsSettings.HELPER_IMAGE_ID, helperImageId);
    }
    return new CloudAccountConfig(
        "moto", "us-east-1", endpoint.toString(), settings,
        Map.of(AwsSettings.ACCESS_KEY_ID, ACCESS_KEY, AwsSettings.SECRET_ACCESS_KEY, SECRET_KEY));
  }

  /** An AMI without a disk to launch helpers from (moto runs any AMI). */
  String registerHelperImage() {
    return ec2.registerImage(request -> request.name("ferry-test-helper").architecture(ArchitectureValues.X86_64)).imageId();
  }

  /**
   * Seeds a source AMI: the non-zero blocks of {@code rawDisk} written into a new snapshot with
   * the EBS direct API (correct SHA-256 checksums), an AMI registered from it. Not tagged.
   */
  String seedImage(String name, Path rawDisk, BootMode bootMode, Architecture architecture, String osName) throws Exception {
    StartSnapshotResponse started = ebs.startSnapshot(request -> request.volumeSize(1L).description("seed " + name));
    String snapshotId = started.snapshotId();
    int blockSize = started.blockSize();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> puts = new ArrayList<>();
    int changed = 0;
    try (FileChannel channel = FileChannel.open(rawDisk, StandardOpenOption.READ)) {
      long size = channel.size();
      for (long offset = 0; offset < size; offset += blockSize) {
        ByteBuffer buffer = ByteBuffer.allocate(blockSize);
        while (buffer.hasRemaining() && channel.read(buffer, offset + buffer.position()) > 0) {
          // read the whole block
        }
        byte[] block = buffer.array();
        if (isZero(block)) {
          continue;
        }
        changed++;
        int index = (int) (offset / blockSize);
        String checksum = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(block));
        puts.add(pool.submit(() -> ebs.putSnapshotBlock(
            request -> request.snapshotId(snapshotId).blockIndex(index).dataLength(block.length).checksum(checksum)
                .checksumAlgorithm(ChecksumAlgorithm.SHA256),
            RequestBody.fromBytes(block))));
      }
      for (Future<?> put : puts) {
        put.get();
      }
    } finally {
      pool.shutdownNow();
    }
    int changedBlocks = changed;
    ebs.completeSnapshot(request -> request.snapshotId(snapshotId).changedBlocksCount(changedBlocks));
    return ec2.registerImage(request -> request
            .name(name)
            .rootDeviceName("/dev/xvda")
            .virtualizationType("hvm")
            .architecture(architecture == Architecture.ARM64 ? ArchitectureValues.ARM64 : ArchitectureValues.X86_64)
            .bootMode(bootMode == BootMode.BIOS ? BootModeValues.LEGACY_BIOS : BootModeValues.UEFI)
            .blockDeviceMappings(BlockDeviceMapping.builder().deviceName("/dev/xvda").ebs(ebs -> ebs.snapshotId(snapshotId)).build())
            .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.IMAGE)
                .tags(Tag.builder().key("ferry:os-name").value(osName).build()).build()))
        .imageId();
  }

  /**
   * Every live resource tagged with the job: instances not terminated, AMIs, volumes, snapshots
   * (each snapshot annotated with the AMIs whose root it is).
   */
  List<String> listTagged(JobTag tag) {
    Filter job = Filter.builder().name("tag:" + JobTag.KEY).values(tag.jobId()).build();
    List<String> found = new ArrayList<>();
    ec2.describeInstances(request -> request.filters(job)).reservations().forEach(reservation -> reservation.instances().forEach(instance -> {
      String state = instance.state().nameAsString();
      if (!state.equals("terminated")) {
        found.add("instance:" + instance.instanceId() + " (" + state + ")");
      }
    }));
    ec2.describeImages(request -> request.owners("self").filters(job)).images().forEach(image -> found.add("image:" + image.imageId()));
    ec2.describeVolumes(request -> request.filters(job)).volumes().forEach(volume -> found.add("volume:" + volume.volumeId()));
    List<Image> allImages = ec2.describeImages(request -> request.owners("self")).images();
    ec2.describeSnapshots(request -> request.ownerIds("self").filters(job)).snapshots().forEach(snapshot -> {
      List<String> roots = new ArrayList<>();
      for (Image image : allImages) {
        image.blockDeviceMappings().stream()
            .filter(mapping -> mapping.ebs() != null && snapshot.snapshotId().equals(mapping.ebs().snapshotId()))
            .forEach(mapping -> roots.add(image.imageId()));
      }
      found.add("snapshot:" + snapshot.snapshotId() + (roots.isEmpty() ? "" : " (root of " + String.join(", ", roots) + ")"));
    });
    return found;
  }

  private static boolean isZero(byte[] block) {
    for (byte value : block) {
      if (value != 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    ec2.close();
    ebs.close();
  }
}
