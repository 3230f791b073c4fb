package io.ferry.plugin.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ebs.model.ChecksumAggregationMethod;
import software.amazon.awssdk.services.ebs.model.CompleteSnapshotRequest;

class SnapshotBlockWriterTest {

  private static final int BLOCK = 4096;

  private final ExecutorService pool = Executors.newFixedThreadPool(3);
  private final FakeEbs ebs = new FakeEbs(BLOCK, 1);
  private final RecordingSleeper sleeper = new RecordingSleeper();
  private final Backoff backoff = new Backoff(5, Duration.ofMillis(100), Duration.ofSeconds(2), sleeper, () -> 12345L);
  private int completionWaits;

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  private SnapshotBlockWriter writer(long virtualSize) {
    return new SnapshotBlockWriter(ebs, backoff, pool, 2, FakeEbs.SNAPSHOT, BLOCK, virtualSize, () -> completionWaits++);
  }

  @Test
  void unalignedWritesBecomeWholeBlocksAndZeroBlocksAreNotSent() throws Exception {
    byte[] disk = new byte[16 * BLOCK + 1000];
    Random random = new Random(7);
    fill(random, disk, 100, 5000); // blocks 0 and 1
    fill(random, disk, 5 * BLOCK - 10, 20); // blocks 4 and 5
    fill(random, disk, disk.length - 1000, 1000); // the partial last block 16
    SnapshotBlockWriter writer = writer(disk.length);
    writer.write(0, ByteBuffer.wrap(disk, 0, 3000));
    writer.write(3000, ByteBuffer.wrap(disk, 3000, 3 * BLOCK)); // through block 2, which is zeros after 5100
    writer.write(3 * BLOCK + 3000, ByteBuffer.wrap(new byte[2 * BLOCK - 3100])); // explicit zeros
    writer.write(5 * BLOCK - 10, ByteBuffer.wrap(disk, 5 * BLOCK - 10, 20));
    writer.write(disk.length - 1000, ByteBuffer.wrap(disk, disk.length - 1000, 1000));
    writer.finish();

    assertThat(ebs.blocks.keySet()).containsExactly(0, 1, 4, 5, 16);
    for (int index : ebs.blocks.keySet()) {
      byte[] expected = Arrays.copyOf(Arrays.copyOfRange(disk, index * BLOCK, Math.min(disk.length, (index + 1) * BLOCK)), BLOCK);
      assertThat(ebs.blocks.get(index)).as("block %d", index).isEqualTo(expected);
    }
    assertThat(writer.stats().blocksSent()).isEqualTo(5);
    assertThat(writer.stats().zeroBlocksSkipped()).as("blocks 2 and 3: written, all zeros").isEqualTo(2);
    CompleteSnapshotRequest completion = ebs.completions.get(0);
    assertThat(completion.changedBlocksCount()).isEqualTo(5);
    assertThat(completion.checksumAggregationMethod()).isEqualTo(ChecksumAggregationMethod.LINEAR);
    MessageDigest linear = MessageDigest.getInstance("SHA-256");
    for (int index : ebs.blocks.keySet()) {
      linear.update(Base64.getDecoder().decode(ebs.checksums.get(index)));
    }
    assertThat(completion.checksum()).isEqualTo(Base64.getEncoder().encodeToString(linear.digest()));
    assertThat(completionWaits).isEqualTo(1);
    assertThat(sleeper.pauses).isEmpty();
  }

  @Test
  void throttlingAndServerErrorsAreRetriedWithBackoff() throws Exception {
    ebs.putFailures.add(FakeEbs.error("RequestThrottledException", 400));
    ebs.putFailures.add(FakeEbs.error("InternalServerException", 500));
    ebs.putFailures.add(FakeEbs.error("ThrottlingException", 429));
    SnapshotBlockWriter writer = writer(4 * BLOCK);
    byte[] data = new byte[4 * BLOCK];
    fill(new Random(3), data, 0, data.length);
    writer.write(0, ByteBuffer.wrap(data));
    writer.finish();
    assertThat(ebs.blocks).hasSize(4);
    assertThat(ebs.putCalls).isEqualTo(7);
    assertThat(sleeper.pauses).hasSize(3).allSatisfy(pause -> assertThat(pause).isLessThanOrEqualTo(Duration.ofMillis(400)));
  }

  @Test
  void permissionFailureStopsTheUploadAndNothingIsCompleted() throws Exception {
    ebs.permanentPutFailure = FakeEbs.error("AccessDeniedException", 403);
    SnapshotBlockWriter writer = writer(8 * BLOCK);
    byte[] data = new byte[8 * BLOCK];
    fill(new Random(4), data, 0, data.length);
    FerryException failure =
        catchThrowableOfType(FerryException.class, () -> {
          writer.write(0, ByteBuffer.wrap(data));
          writer.finish();
        });
    assertThat(failure.code()).isEqualTo(ErrorCode.CLOUD_PERMISSION_DENIED);
    assertThat(failure.getMessage()).contains(FakeEbs.SNAPSHOT).contains("AccessDeniedException");
    assertThat(ebs.completions).isEmpty();
    assertThat(sleeper.pauses).isEmpty();
  }

  @Test
  void writesGoingBackwardsOrBeyondTheDiskAreRefused() throws Exception {
    SnapshotBlockWriter writer = writer(4 * BLOCK);
    writer.write(BLOCK, ByteBuffer.wrap(new byte[] {1}));
    FerryException backwards = catchThrowableOfType(FerryException.class, () -> writer.write(10, ByteBuffer.wrap(new byte[] {1})));
    assertThat(backwards.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(backwards.getMessage()).contains("offset 10");
    FerryException beyond = catchThrowableOfType(FerryException.class, () -> writer.write(4 * BLOCK - 1, ByteBuffer.wrap(new byte[2])));
    assertThat(beyond.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
  }

  @Test
  void abandonedWriterRefusesFurtherWritesAndNeverCompletes() throws Exception {
    SnapshotBlockWriter writer = writer(4 * BLOCK);
    writer.write(0, ByteBuffer.wrap(new byte[] {1, 2, 3}));
    writer.close();
    assertThat(catchThrowableOfType(FerryException.class, () -> writer.write(BLOCK, ByteBuffer.wrap(new byte[] {1}))).code())
        .isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(ebs.completions).isEmpty();
    assertThat(writer.finished()).isFalse();
  }

  private static void fill(Random random, byte[] disk, int offset, int length) {
    byte[] data = new byte[length];
    random.nextBytes(data);
    System.arraycopy(data, 0, disk, offset, length);
  }
}
