package io.ferry.standardization.bundle.s3;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.bundle.ChunkStore;
import io.ferry.standardization.bundle.StoredObject;
import io.ferry.standardization.bundle.internal.Names;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A {@link ChunkStore} in an S3-compatible bucket, with the same layout as {@link
 * io.ferry.standardization.bundle.LocalChunkStore} under the configured prefix. A PUT is atomic
 * by nature (an object is visible whole or not at all), so concurrent writers of one chunk are
 * safe. Touching a chunk copies it onto itself with replaced metadata, which renews its
 * last-modified time on the server.
 */
public final class S3ChunkStore implements ChunkStore {

  private final S3Client client;
  private final boolean ownsClient;
  private final S3StoreConfig config;

  /** A store using a client built from {@code config} (closed with the store). */
  public S3ChunkStore(S3StoreConfig config) {
    this(buildClient(config), true, config);
  }

  /** A store using {@code client}, which the caller keeps owning. */
  public S3ChunkStore(S3Client client, S3StoreConfig config) {
    this(client, false, config);
  }

  private S3ChunkStore(S3Client client, boolean ownsClient, S3StoreConfig config) {
    this.client = client;
    this.ownsClient = ownsClient;
    this.config = config;
  }

  /** Builds an S3 client for {@code config}: endpoint override, path style, static or default credentials. */
  public static S3Client buildClient(S3StoreConfig config) {
    S3ClientBuilder builder =
        S3Client.builder()
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .region(Region.of(config.region()))
            .forcePathStyle(config.pathStyle())
            // S3-compatible servers do not all know the SDK's newer default checksums
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    if (config.endpoint() != null) {
      builder.endpointOverride(config.endpoint());
    }
    if (config.accessKeyId() != null && config.secretAccessKey() != null) {
      builder.credentialsProvider(
          StaticCredentialsProvider.create(
              AwsBasicCredentials.create(config.accessKeyId(), config.secretAccessKey())));
    } else {
      builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
    }
    return builder.build();
  }

  @Override
  public void putChunk(String chunkId, byte[] compressed, int offset, int length) throws IOException {
    String key = chunkKey(chunkId);
    call("put chunk " + chunkId, () -> client.putObject(
        request -> request.bucket(config.bucket()).key(key).contentLength((long) length),
        RequestBody.fromByteBuffer(java.nio.ByteBuffer.wrap(compressed, offset, length))));
  }

  @Override
  public byte[] getChunk(String chunkId) throws IOException {
    String key = chunkKey(chunkId);
    try {
      return call("get chunk " + chunkId,
          () -> client.getObjectAsBytes(request -> request.bucket(config.bucket()).key(key)).asByteArray());
    } catch (FerryException failure) {
      if (failure.code() == ErrorCode.NOT_FOUND) {
        throw new FerryException(ErrorCode.NOT_FOUND, "chunk " + chunkId + " is not in " + describe());
      }
      throw failure;
    }
  }

  @Override
  public Optional<StoredObject> statChunk(String chunkId) throws IOException {
    return head(chunkId, chunkKey(chunkId));
  }

  @Override
  public Optional<StoredObject> touchChunk(String chunkId) throws IOException {
    String key = chunkKey(chunkId);
    try {
      call("touch chunk " + chunkId, () -> client.copyObject(request -> request
          .sourceBucket(config.bucket()).sourceKey(key)
          .destinationBucket(config.bucket()).destinationKey(key)
          .metadataDirective(MetadataDirective.REPLACE)
          .metadata(Map.of("ferry-touched", Instant.now().toString()))));
    } catch (FerryException failure) {
      if (failure.code() == ErrorCode.NOT_FOUND) {
        return Optional.empty();
      }
      throw failure;
    }
    return head(chunkId, key);
  }

  @Override
  public boolean deleteChunk(String chunkId) throws IOException {
    String key = chunkKey(chunkId);
    if (head(chunkId, key).isEmpty()) {
      return false;
    }
    call("delete chunk " + chunkId, () -> client.deleteObject(request -> request.bucket(config.bucket()).key(key)));
    return true;
  }

  @Override
  public void listChunks(Consumer<StoredObject> consumer) throws IOException {
    String prefix = config.prefix() + "chunks/";
    call("list chunks", () -> {
      for (ListObjectsV2Response page : client.listObjectsV2Paginator(
          ListObjectsV2Request.builder().bucket(config.bucket()).prefix(prefix).build())) {
        for (S3Object object : page.contents()) {
          String rest = object.key().substring(prefix.length()).replace("/", "");
          if (Names.isChunkId(rest)) {
            consumer.accept(new StoredObject(rest, object.size(), object.lastModified()));
          }
        }
      }
      return null;
    });
  }

  @Override
  public void putManifest(String bundleId, byte[] manifestJson) throws IOException {
    String key = manifestKey(bundleId);
    call("put manifest " + bundleId, () -> client.putObject(
        request -> request.bucket(config.bucket()).key(key).contentType("application/json"),
        RequestBody.fromBytes(manifestJson)));
  }

  @Override
  public Optional<byte[]> getManifest(String bundleId) throws IOException {
    return getOptional("get manifest " + bundleId, manifestKey(bundleId));
  }

  @Override
  public List<String> listManifests() throws IOException {
    String prefix = config.prefix() + "manifests/";
    TreeSet<String> ids = new TreeSet<>();
    for (String key : keys(prefix)) {
      String name = key.substring(prefix.length());
      if (name.endsWith(".json")) {
        String bundleId = name.substring(0, name.length() - ".json".length());
        if (Names.isBundleId(bundleId)) {
          ids.add(bundleId);
        }
      }
    }
    return List.copyOf(ids);
  }

  @Override
  public boolean deleteManifest(String bundleId) throws IOException {
    String key = manifestKey(bundleId);
    boolean existed = getManifest(bundleId).isPresent();
    call("delete manifest " + bundleId, () -> client.deleteObject(request -> request.bucket(config.bucket()).key(key)));
    return existed;
  }

  @Override
  public void putJournalSegment(String bundleId, long sequence, byte[] segmentJson) throws IOException {
    String key = journalPrefix(bundleId) + String.format("%012d.json", sequence);
    call("put journal of " + bundleId, () -> client.putObject(
        request -> request.bucket(config.bucket()).key(key), RequestBody.fromBytes(segmentJson)));
  }

  @Override
  public List<byte[]> readJournal(String bundleId) throws IOException {
    List<byte[]> segments = new ArrayList<>();
    for (String key : new TreeSet<>(keys(journalPrefix(bundleId)))) {
      getOptional("read journal of " + bundleId, key).ifPresent(segments::add);
    }
    return segments;
  }

  @Override
  public List<String> listJournals() throws IOException {
    String prefix = config.prefix() + "journals/";
    TreeSet<String> ids = new TreeSet<>();
    call("list journals", () -> {
      for (ListObjectsV2Response page : client.listObjectsV2Paginator(
          ListObjectsV2Request.builder().bucket(config.bucket()).prefix(prefix).delimiter("/").build())) {
        for (CommonPrefix common : page.commonPrefixes()) {
          String name = common.prefix().substring(prefix.length()).replace("/", "");
          if (Names.isBundleId(name)) {
            ids.add(name);
          }
        }
      }
      return null;
    });
    return List.copyOf(ids);
  }

  @Override
  public void deleteJournal(String bundleId) throws IOException {
    for (String key : keys(journalPrefix(bundleId))) {
      call("delete journal of " + bundleId, () -> client.deleteObject(request -> request.bucket(config.bucket()).key(key)));
    }
  }

  @Override
  public String describe() {
    return "S3 store " + config;
  }

  @Override
  public void close() {
    if (ownsClient) {
      client.close();
    }
  }

  private String chunkKey(String chunkId) {
    Names.checkChunkId(chunkId);
    return config.prefix() + "chunks/" + chunkId.substring(0, 2) + "/" + chunkId.substring(2);
  }

  private String manifestKey(String bundleId) {
    return config.prefix() + "manifests/" + Names.checkBundleId(bundleId) + ".json";
  }

  private String journalPrefix(String bundleId) {
    return config.prefix() + "journals/" + Names.checkBundleId(bundleId) + "/";
  }

  private Optional<StoredObject> head(String chunkId, String key) throws IOException {
    try {
      HeadObjectResponse response =
          call("stat chunk " + chunkId, () -> client.headObject(request -> request.bucket(config.bucket()).key(key)));
      return Optional.of(new StoredObject(chunkId, response.contentLength(), response.lastModified()));
    } catch (FerryException failure) {
      if (failure.code() == ErrorCode.NOT_FOUND) {
        return Optional.empty();
      }
      throw failure;
    }
  }

  private Optional<byte[]> getOptional(String what, String key) throws IOException {
    try {
      return Optional.of(call(what,
          () -> client.getObjectAsBytes(request -> request.bucket(config.bucket()).key(key)).asByteArray()));
    } catch (FerryException failure) {
      if (failure.code() == ErrorCode.NOT_FOUND) {
        return Optional.empty();
      }
      throw failure;
    }
  }

  private List<String> keys(String prefix) throws IOException {
    List<String> keys = new ArrayList<>();
    call("list " + prefix, () -> {
      for (ListObjectsV2Response page : client.listObjectsV2Paginator(
          ListObjectsV2Request.builder().bucket(config.bucket()).prefix(prefix).build())) {
        page.contents().forEach(object -> keys.add(object.key()));
      }
      return null;
    });
    return keys;
  }

  private interface Call<T> {
    T run();
  }

  /** Runs one S3 call and translates its failure into a FerryException with the right code. */
  private <T> T call(String what, Call<T> call) throws IOException {
    try {
      return call.run();
    } catch (NoSuchKeyException missing) {
      throw new FerryException(ErrorCode.NOT_FOUND, what + ": not found in " + describe(), missing);
    } catch (S3Exception failure) {
      int status = failure.statusCode();
      ErrorCode code =
          status == 404 ? ErrorCode.NOT_FOUND
              : status == 403 ? ErrorCode.CLOUD_PERMISSION_DENIED
              : status == 401 ? ErrorCode.CLOUD_AUTHENTICATION_FAILED
              : status == 429 || status == 503 ? ErrorCode.CLOUD_THROTTLED
              : status >= 500 ? ErrorCode.CLOUD_UNAVAILABLE
              : ErrorCode.CLOUD_REQUEST_REJECTED;
      String detail = failure.awsErrorDetails() == null ? "" : ": " + failure.awsErrorDetails().errorCode();
      throw new FerryException(code, what + " in " + describe() + " failed with HTTP " + status + detail, failure);
    } catch (SdkClientException unreachable) {
      throw new FerryException(ErrorCode.CLOUD_UNAVAILABLE, what + ": " + describe() + " is unreachable: "
          + unreachable.getMessage(), unreachable);
    } catch (SdkException other) {
      throw new FerryException(ErrorCode.CLOUD_UNAVAILABLE, what + " in " + describe() + " failed", other);
    }
  }
}
