package io.ferry.plugin.aws.internal;

import io.ferry.standardization.FerryException;
import io.ferry.standardization.spi.CleanupReport;
import io.ferry.standardization.spi.JobTag;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeImagesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSnapshotsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeVolumesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.Volume;

/**
 * Deletes everything tagged with a job, in the order AWS allows: helpers (terminated, which
 * releases their volumes), AMIs (deregistered, except kept ones), volumes, then snapshots (except
 * the snapshots of kept AMIs). Resources that are already gone are not errors, so running it twice
 * is safe and the second run deletes nothing.
 */
public final class TaggedCleanup {

  /** Instance states in which a helper still exists (costs money or holds volumes). */
  public static final List<String> LIVE_INSTANCE_STATES = List.of("pending", "running", "stopping", "stopped", "shutting-down");

  private final Ec2Client ec2;
  private final Images images;
  private final Snapshots snapshots;
  private final Helpers helpers;

  public TaggedCleanup(Ec2Client ec2, Images images, Snapshots snapshots, Helpers helpers) {
    this.ec2 = ec2;
    this.images = images;
    this.snapshots = snapshots;
    this.helpers = helpers;
  }

  /** Deletes the job's resources except {@code keepImageIds} and their snapshots. */
  public CleanupReport deleteTagged(JobTag tag, List<String> keepImageIds) {
    List<String> deleted = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    Filter job = Tags.jobFilter(tag);

    for (Instance instance : instances(job)) {
      attempt("instance:" + instance.instanceId(), () -> helpers.terminate(instance.instanceId()), deleted, failed);
    }
    Set<String> keptSnapshots = new HashSet<>();
    for (Image image : taggedImages(job)) {
      if (keepImageIds.contains(image.imageId())) {
        image.blockDeviceMappings().stream()
            .filter(mapping -> mapping.ebs() != null && mapping.ebs().snapshotId() != null)
            .forEach(mapping -> keptSnapshots.add(mapping.ebs().snapshotId()));
        continue;
      }
      attempt("image:" + image.imageId(), () -> images.deregister(image.imageId()), deleted, failed);
    }
    for (Volume volume : volumes(job)) {
      attempt("volume:" + volume.volumeId(), () -> helpers.deleteVolume(volume.volumeId()), deleted, failed);
    }
    for (Snapshot snapshot : snapshots(job)) {
      if (!keptSnapshots.contains(snapshot.snapshotId())) {
        attempt("snapshot:" + snapshot.snapshotId(), () -> snapshots.delete(snapshot.snapshotId()), deleted, failed);
      }
    }
    return new CleanupReport(deleted, failed);
  }

  /** The job's helpers that still exist. */
  public List<Instance> instances(Filter job) {
    Filter live = Filter.builder().name("instance-state-name").values(LIVE_INSTANCE_STATES).build();
    List<Instance> found = new ArrayList<>();
    AwsErrors.run(
        "DescribeInstances",
        () -> ec2.describeInstancesPaginator(DescribeInstancesRequest.builder().filters(job, live).build())
            .reservations()
            .forEach(reservation -> found.addAll(reservation.instances())));
    return found;
  }

  /** The job's AMIs. */
  public List<Image> taggedImages(Filter job) {
    return AwsErrors.call(
        "DescribeImages", () -> ec2.describeImages(DescribeImagesRequest.builder().owners("self").filters(job).build()).images());
  }

  /** The job's volumes. */
  public List<Volume> volumes(Filter job) {
    List<Volume> found = new ArrayList<>();
    AwsErrors.run(
        "DescribeVolumes",
        () -> ec2.describeVolumesPaginator(DescribeVolumesRequest.builder().filters(job).build()).volumes().forEach(found::add));
    return found;
  }

  /** The job's snapshots. */
  public List<Snapshot> snapshots(Filter job) {
    List<Snapshot> found = new ArrayList<>();
    AwsErrors.run(
        "DescribeSnapshots",
        () -> ec2.describeSnapshotsPaginator(DescribeSnapshotsRequest.builder().ownerIds("self").filters(job).build())
            .snapshots()
            .forEach(found::add));
    return found;
  }

  private interface Deletion {
    boolean delete();
  }

  private static void attempt(String resource, Deletion deletion, List<String> deleted, List<String> failed) {
    try {
      if (deletion.delete()) {
        deleted.add(resource);
      }
    } catch (FerryException e) {
      failed.add(resource + ": " + e.code() + ": " + e.getMessage());
    }
  }
}
