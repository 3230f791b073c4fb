package io.ferry.plugin.aws.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.spi.JobTag;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CreateSnapshotRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSnapshotsRequest;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.SnapshotState;

/** EC2 operations on snapshots: describe, wait, create from a volume, delete. */
public final class Snapshots {

  private final Ec2Client ec2;
  private final Waiter waiter;

  public Snapshots(Ec2Client ec2, Waiter waiter) {
    this.ec2 = ec2;
    this.waiter = waiter;
  }

  /** The snapshot {@code snapshotId}; NOT_FOUND when it does not exist. */
  public Snapshot describe(String snapshotId) {
    List<Snapshot> found =
        AwsErrors.call(
            "DescribeSnapshots " + snapshotId,
            () -> ec2.describeSnapshots(DescribeSnapshotsRequest.builder().snapshotIds(snapshotId).build()).snapshots());
    if (found.isEmpty()) {
      throw new FerryException(ErrorCode.NOT_FOUND, "no snapshot " + snapshotId);
    }
    return found.get(0);
  }

  /** Waits until the snapshot is {@code completed}; fails when it goes to {@code error}. */
  public Snapshot awaitCompleted(String snapshotId) {
    return waiter.until("snapshot " + snapshotId + " to complete", () -> {
      Snapshot snapshot = describe(snapshotId);
      if (snapshot.state() == SnapshotState.ERROR) {
        throw new FerryException(
            ErrorCode.CLOUD_REQUEST_REJECTED, "snapshot " + snapshotId + " failed: " + snapshot.stateMessage());
      }
      return snapshot.state() == SnapshotState.COMPLETED ? Optional.of(snapshot) : Optional.empty();
    });
  }

  /** Snapshots volume {@code volumeId}, tagged with the job, and waits until it is complete. */
  public String createFromVolume(String volumeId, JobTag tag, String description) {
    String snapshotId =
        AwsErrors.call(
            "CreateSnapshot " + volumeId,
            () -> ec2.createSnapshot(
                    CreateSnapshotRequest.builder()
                        .volumeId(volumeId)
                        .description(description)
                        .tagSpecifications(Tags.specification(ResourceType.SNAPSHOT, tag, java.util.Map.of()))
                        .build())
                .snapshotId());
    awaitCompleted(snapshotId);
    return snapshotId;
  }

  /** Deletes a snapshot; returns false when it was already gone. */
  public boolean delete(String snapshotId) {
    try {
      AwsErrors.run("DeleteSnapshot " + snapshotId, () -> ec2.deleteSnapshot(request -> request.snapshotId(snapshotId)));
      return true;
    } catch (FerryException e) {
      if (e.code() == ErrorCode.NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }

  /** Deletes a snapshot, ignoring every failure (used while already failing). */
  public void deleteQuietly(String snapshotId) {
    try {
      delete(snapshotId);
    } catch (RuntimeException ignored) {
      // the job's cleanup finds it by its tag
    }
  }
}
