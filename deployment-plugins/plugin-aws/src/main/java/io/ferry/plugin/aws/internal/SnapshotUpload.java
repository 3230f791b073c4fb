package io.ferry.plugin.aws.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.spi.DirectUpload;
import io.ferry.standardization.spi.JobTag;
import io.ferry.standardization.spi.UploadSpec;
import java.util.concurrent.ExecutorService;
import software.amazon.awssdk.services.ebs.model.StartSnapshotRequest;
import software.amazon.awssdk.services.ebs.model.StartSnapshotResponse;
import software.amazon.awssdk.services.ebs.model.Tag;

/**
 * A direct upload into a new EBS snapshot (StartSnapshot, tagged with the job). Closing it before
 * the writer finished deletes the pending snapshot; a finished snapshot is kept for RegisterImage.
 */
public final class SnapshotUpload implements DirectUpload {

  private static final long GIB = 1L << 30;

  private final String snapshotId;
  private final SnapshotBlockWriter writer;
  private final Snapshots snapshots;
  private boolean closed;

  private SnapshotUpload(String snapshotId, SnapshotBlockWriter writer, Snapshots snapshots) {
    this.snapshotId = snapshotId;
    this.writer = writer;
    this.snapshots = snapshots;
  }

  /**
   * Starts a snapshot of {@code spec.virtualSize()} rounded up to whole GiB.
   *
   * @param clientToken makes StartSnapshot idempotent when the SDK or the caller retries it
   */
  public static SnapshotUpload start(
      AwsClients clients, Backoff backoff, ExecutorService pool, int parallelism, Snapshots snapshots, UploadSpec spec,
      JobTag tag, String clientToken) {
    if (spec.virtualSize() <= 0) {
      throw new FerryException(ErrorCode.INVALID_REQUEST, "upload size must be positive: " + spec.virtualSize());
    }
    long gib = Math.max(1, (spec.virtualSize() + GIB - 1) / GIB);
    StartSnapshotRequest request =
        StartSnapshotRequest.builder()
            .volumeSize(gib)
            .clientToken(clientToken)
            .description("Ferry upload " + spec.name() + " for job " + tag.jobId())
            .tags(
                Tag.builder().key(JobTag.KEY).value(tag.jobId()).build(),
                Tag.builder().key("Name").value(spec.name()).build())
            .build();
    StartSnapshotResponse started =
        backoff.call(() -> AwsErrors.call("StartSnapshot", () -> clients.ebs().startSnapshot(request)));
    String snapshotId = started.snapshotId();
    Integer blockSize = started.blockSize();
    if (blockSize == null || blockSize < 512 || blockSize > (16 << 20)) {
      snapshots.deleteQuietly(snapshotId);
      throw new FerryException(
          ErrorCode.CLOUD_REQUEST_REJECTED, "StartSnapshot returned an unusable block size " + blockSize + " for " + snapshotId);
    }
    SnapshotBlockWriter writer =
        new SnapshotBlockWriter(
            clients.ebs(), backoff, pool, parallelism, snapshotId, blockSize, spec.virtualSize(),
            () -> snapshots.awaitCompleted(snapshotId));
    return new SnapshotUpload(snapshotId, writer, snapshots);
  }

  @Override
  public SnapshotBlockWriter writer() {
    return writer;
  }

  @Override
  public String uploadId() {
    return snapshotId;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (!writer.finished()) {
      writer.abort();
      snapshots.delete(snapshotId);
    }
  }
}
