package io.ferry.plugin.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.Extent;
import io.ferry.standardization.image.ExtentType;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SnapshotBlockReaderTest {

  private static final int BLOCK = 4096;

  private final ExecutorService pool = Executors.newFixedThreadPool(3);
  private final FakeEbs ebs = new FakeEbs(BLOCK, 1);
  private final Backoff backoff = new Backoff(3, Duration.ZERO, Duration.ZERO, new RecordingSleeper(), () -> 0L);

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  @Test
  void pagedBlocksGiveAnExactExtentMap() throws Exception {
    for (int index : new int[] {0, 1, 2, 5, 9, 10, 11, 15}) {
      ebs.seed(index, block(index));
    }
    try (SnapshotBlockReader reader = SnapshotBlockReader.open(ebs, backoff, pool, FakeEbs.SNAPSHOT)) {
      assertThat(reader.virtualSize()).isEqualTo(1L << 30);
      List<Extent> extents = new ArrayList<>();
      reader.extents().forEachRemaining(extents::add);
      assertThat(extents)
          .containsExactly(
              new Extent(0, 3 * BLOCK, ExtentType.DATA),
              new Extent(3 * BLOCK, 2 * BLOCK, ExtentType.UNALLOCATED),
              new Extent(5 * BLOCK, BLOCK, ExtentType.DATA),
              new Extent(6 * BLOCK, 3 * BLOCK, ExtentType.UNALLOCATED),
              new Extent(9 * BLOCK, 3 * BLOCK, ExtentType.DATA),
              new Extent(12 * BLOCK, 3 * BLOCK, ExtentType.UNALLOCATED),
              new Extent(15 * BLOCK, BLOCK, ExtentType.DATA),
              new Extent(16 * BLOCK, (1L << 30) - 16 * BLOCK, ExtentType.UNALLOCATED));
      assertThat(ebs.listCalls).as("three pages of three blocks, plus the first page at open").isEqualTo(4);
    }
  }

  @Test
  void readsAcrossAllocatedAndUnallocatedBlocksReturnTheData() throws Exception {
    for (int index : new int[] {1, 2, 4, 8, 9}) {
      ebs.seed(index, block(index));
    }
    try (SnapshotBlockReader reader = SnapshotBlockReader.open(ebs, backoff, pool, FakeEbs.SNAPSHOT)) {
      ByteBuffer buffer = ByteBuffer.allocate(9 * BLOCK);
      reader.read(BLOCK / 2, buffer);
      assertThat(buffer.position()).isEqualTo(9 * BLOCK);
      byte[] expected = new byte[10 * BLOCK];
      for (int index : new int[] {1, 2, 4, 8, 9}) {
        System.arraycopy(block(index), 0, expected, index * BLOCK, BLOCK);
      }
      assertThat(buffer.array()).isEqualTo(Arrays.copyOfRange(expected, BLOCK / 2, BLOCK / 2 + 9 * BLOCK));
      int fetched = ebs.getCalls;
      ByteBuffer again = ByteBuffer.allocate(100);
      reader.read(9 * BLOCK + 10, again);
      assertThat(ebs.getCalls).as("a recently read block is served from the small cache").isEqualTo(fetched);
    }
  }

  @Test
  void readsOfHolesFetchNothing() throws Exception {
    ebs.seed(2, block(2));
    ebs.seed(40, block(40));
    try (SnapshotBlockReader reader = SnapshotBlockReader.open(ebs, backoff, pool, FakeEbs.SNAPSHOT)) {
      ByteBuffer hole = ByteBuffer.allocate(30 * BLOCK);
      Arrays.fill(hole.array(), (byte) 7);
      reader.read(5 * BLOCK + 1, hole);
      assertThat(hole.array()).containsOnly(0);
      ByteBuffer edges = ByteBuffer.allocate(2);
      reader.read(3 * BLOCK - 1, edges);
      assertThat(edges.get(0)).isEqualTo(block(2)[BLOCK - 1]);
      assertThat(edges.get(1)).isZero();
      assertThat(ebs.getCalls).isEqualTo(1);
    }
  }

  @Test
  void blockWhoseChecksumDoesNotMatchIsAnIntegrityFailure() throws Exception {
    ebs.seed(3, block(3));
    ebs.checksums.put(3, Base64.getEncoder().encodeToString(new byte[32]));
    try (SnapshotBlockReader reader = SnapshotBlockReader.open(ebs, backoff, pool, FakeEbs.SNAPSHOT)) {
      FerryException failure = catchThrowableOfType(FerryException.class, () -> reader.read(3 * BLOCK, ByteBuffer.allocate(10)));
      assertThat(failure.code()).isEqualTo(ErrorCode.INTEGRITY_CHECK_FAILED);
      assertThat(failure.getMessage()).contains("block 3").contains("offset " + 3 * BLOCK).contains(FakeEbs.SNAPSHOT);
    }
  }

  @Test
  void readOutsideTheDiskIsRefused() throws Exception {
    try (SnapshotBlockReader reader = SnapshotBlockReader.open(ebs, backoff, pool, FakeEbs.SNAPSHOT)) {
      FerryException failure = catchThrowableOfType(FerryException.class, () -> reader.read((1L << 30) - 5, ByteBuffer.allocate(10)));
      assertThat(failure.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    }
  }

  @Test
  void absurdGeometryIsRefused() {
    FakeEbs odd = new FakeEbs(100, 1);
    FerryException failure = catchThrowableOfType(FerryException.class, () -> SnapshotBlockReader.open(odd, backoff, pool, "snap-odd"));
    assertThat(failure.code()).isEqualTo(ErrorCode.IMAGE_CORRUPT);
    assertThat(failure.getMessage()).contains("block size 100");
  }

  private static byte[] block(int index) {
    byte[] data = new byte[BLOCK];
    new Random(index).nextBytes(data);
    return data;
  }
}
