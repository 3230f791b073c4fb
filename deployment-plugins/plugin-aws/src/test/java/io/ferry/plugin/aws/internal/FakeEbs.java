package io.ferry.plugin.aws.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.services.ebs.EbsClient;
import software.amazon.awssdk.services.ebs.model.Block;
import software.amazon.awssdk.services.ebs.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.ebs.model.CompleteSnapshotRequest;
import software.amazon.awssdk.services.ebs.model.CompleteSnapshotResponse;
import software.amazon.awssdk.services.ebs.model.GetSnapshotBlockRequest;
import software.amazon.awssdk.services.ebs.model.GetSnapshotBlockResponse;
import software.amazon.awssdk.services.ebs.model.ListSnapshotBlocksRequest;
import software.amazon.awssdk.services.ebs.model.ListSnapshotBlocksResponse;
import software.amazon.awssdk.services.ebs.model.PutSnapshotBlockRequest;
import software.amazon.awssdk.services.ebs.model.PutSnapshotBlockResponse;
import software.amazon.awssdk.services.ebs.model.ValidationException;

/**
 * An in-memory EBS direct API for one snapshot: it checks PutSnapshotBlock checksums like AWS
 * does, pages ListSnapshotBlocks with a small page size, and fails on demand.
 */
final class FakeEbs implements EbsClient {

  static final String SNAPSHOT = "snap-fake";

  final int blockSize;
  final long volumeGib;
  final TreeMap<Integer, byte[]> blocks = new TreeMap<>();
  final Map<Integer, String> checksums = new HashMap<>();
  final Deque<AwsServiceException> putFailures = new ArrayDeque<>();
  final List<CompleteSnapshotRequest> completions = new ArrayList<>();
  int pageSize = 3;
  int listCalls;
  int getCalls;
  int putCalls;
  AwsServiceException permanentPutFailure;

  FakeEbs(int blockSize, long volumeGib) {
    this.blockSize = blockSize;
    this.volumeGib = volumeGib;
  }

  static AwsServiceException error(String code, int status) {
    return AwsServiceException.builder()
        .statusCode(status)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(code + " from the fake").build())
        .build();
  }

  @Override
  public synchronized PutSnapshotBlockResponse putSnapshotBlock(PutSnapshotBlockRequest request, RequestBody body) {
    putCalls++;
    if (permanentPutFailure != null) {
      throw permanentPutFailure;
    }
    if (!putFailures.isEmpty()) {
      throw putFailures.removeFirst();
    }
    byte[] data;
    try (InputStream in = body.contentStreamProvider().newStream()) {
      data = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (data.length != blockSize || request.dataLength() != blockSize) {
      throw ValidationException.builder().message("block of " + data.length + " bytes").build();
    }
    if (request.checksumAlgorithm() != ChecksumAlgorithm.SHA256 || !Checksums.sha256Base64(data).equals(request.checksum())) {
      throw ValidationException.builder().message("checksum mismatch for block " + request.blockIndex()).build();
    }
    blocks.put(request.blockIndex(), data);
    checksums.put(request.blockIndex(), request.checksum());
    return PutSnapshotBlockResponse.builder().checksum(request.checksum()).checksumAlgorithm(ChecksumAlgorithm.SHA256).build();
  }

  @Override
  public synchronized CompleteSnapshotResponse completeSnapshot(CompleteSnapshotRequest request) {
    completions.add(request);
    return CompleteSnapshotResponse.builder().status("completed").build();
  }

  /** Puts a block directly, as an earlier upload would have. */
  synchronized void seed(int index, byte[] data) {
    blocks.put(index, data);
    checksums.put(index, Checksums.sha256Base64(data));
  }

  @Override
  public synchronized ListSnapshotBlocksResponse listSnapshotBlocks(ListSnapshotBlocksRequest request) {
    listCalls++;
    int from = request.nextToken() != null ? Integer.parseInt(request.nextToken())
        : request.startingBlockIndex() == null ? 0 : request.startingBlockIndex();
    List<Block> page = new ArrayList<>();
    Integer next = null;
    for (Map.Entry<Integer, byte[]> entry : blocks.tailMap(from, true).entrySet()) {
      if (page.size() == pageSize) {
        next = entry.getKey();
        break;
      }
      page.add(Block.builder().blockIndex(entry.getKey()).blockToken("token-" + entry.getKey()).build());
    }
    return ListSnapshotBlocksResponse.builder()
        .blocks(page)
        .nextToken(next == null ? null : next.toString())
        .blockSize(blockSize)
        .volumeSize(volumeGib)
        .build();
  }

  @Override
  public <ReturnT> ReturnT getSnapshotBlock(
      GetSnapshotBlockRequest request, ResponseTransformer<GetSnapshotBlockResponse, ReturnT> transformer) {
    byte[] data;
    String checksum;
    synchronized (this) {
      getCalls++;
      data = blocks.get(request.blockIndex());
      checksum = checksums.get(request.blockIndex());
      if (data == null || !("token-" + request.blockIndex()).equals(request.blockToken())) {
        throw error("ResourceNotFoundException", 404);
      }
    }
    GetSnapshotBlockResponse response =
        GetSnapshotBlockResponse.builder().dataLength(data.length).checksum(checksum).checksumAlgorithm(ChecksumAlgorithm.SHA256).build();
    try {
      return transformer.transform(response, AbortableInputStream.create(new ByteArrayInputStream(data)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String serviceName() {
    return "ebs";
  }

  @Override
  public void close() {}
}
