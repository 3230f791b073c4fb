package io.ferry.agent.daemon;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.bundle.ChunkStore;
import io.ferry.standardization.bundle.StoredObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A read-only {@link ChunkStore} over the control plane's agent endpoints: the bundle of one job
 * ({@code GET {controlPlane}/api/v1/agent/jobs/{job}/bundle/manifest} and {@code
 * .../bundle/chunks/{sha256}}, compressed as stored), fetched with the job-scoped token. {@link
 * io.ferry.standardization.bundle.Bundles} restores from it as from any store, re-hashing every
 * chunk. Failed requests are retried a few times; everything that writes throws UNSUPPORTED.
 */
public final class HttpBundleStore implements ChunkStore {

  /** Attempts per request: with the growing pauses about 35 seconds, enough to ride out a server restart. */
  private static final int ATTEMPTS = 8;

  private final URI base;
  private final String jobId;
  private final String token;
  private final String bundleId;
  private final HttpClient http;

  /**
   * @param controlPlane the control plane's base URL
   * @param bundleId the id of the job's bundle, as the instruction names it
   */
  public HttpBundleStore(URI controlPlane, String jobId, String token, String bundleId) {
    String url = controlPlane.toString();
    this.base = URI.create((url.endsWith("/") ? url.substring(0, url.length() - 1) : url) + "/api/v1/agent/jobs/"
        + jobId + "/bundle/");
    this.jobId = jobId;
    this.token = token;
    this.bundleId = bundleId;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  @Override
  public byte[] getChunk(String chunkId) throws IOException {
    if (!chunkId.matches("[0-9a-f]{64}")) {
      throw new FerryException(ErrorCode.INVALID_REQUEST, "not a chunk id: " + chunkId);
    }
    return get("chunks/" + chunkId, "chunk " + chunkId)
        .orElseThrow(() -> new FerryException(ErrorCode.NOT_FOUND, "the control plane has no chunk " + chunkId));
  }

  @Override
  public Optional<StoredObject> statChunk(String chunkId) throws IOException {
    throw readOnly("statChunk");
  }

  @Override
  public Optional<byte[]> getManifest(String bundleId) throws IOException {
    if (!this.bundleId.equals(bundleId)) {
      return Optional.empty();
    }
    return get("manifest", "the manifest of bundle " + bundleId);
  }

  private Optional<byte[]> get(String path, String what) throws IOException {
    IOException last = null;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(2))
          .header("Authorization", "Bearer " + token).GET().build();
      try {
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        int status = response.statusCode();
        if (status == 200) {
          return Optional.of(response.body());
        }
        if (status == 404) {
          return Optional.empty();
        }
        if (status == 401 || status == 403) {
          throw new FerryException(ErrorCode.CLOUD_AUTHENTICATION_FAILED,
              "the control plane refused the job token for job " + jobId + " fetching " + what);
        }
        last = new IOException("HTTP " + status + " fetching " + what);
      } catch (IOException e) {
        last = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new FerryException(ErrorCode.CANCELLED, "interrupted fetching " + what);
      }
      try {
        Thread.sleep(Math.min(10_000L, 500L << (attempt - 1)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new FerryException(ErrorCode.CANCELLED, "interrupted fetching " + what);
      }
    }
    throw new FerryException(ErrorCode.CLOUD_UNAVAILABLE,
        "cannot fetch " + what + " from the control plane: " + last.getMessage(), last);
  }

  @Override
  public void putChunk(String chunkId, byte[] compressed, int offset, int length) {
    throw readOnly("putChunk");
  }

  @Override
  public Optional<StoredObject> touchChunk(String chunkId) {
    throw readOnly("touchChunk");
  }

  @Override
  public boolean deleteChunk(String chunkId) {
    throw readOnly("deleteChunk");
  }

  @Override
  public void listChunks(Consumer<StoredObject> consumer) {
    throw readOnly("listChunks");
  }

  @Override
  public void putManifest(String bundleId, byte[] manifestJson) {
    throw readOnly("putManifest");
  }

  @Override
  public List<String> listManifests() {
    return List.of(bundleId);
  }

  @Override
  public boolean deleteManifest(String bundleId) {
    throw readOnly("deleteManifest");
  }

  @Override
  public void putJournalSegment(String bundleId, long sequence, byte[] segmentJson) {
    throw readOnly("putJournalSegment");
  }

  @Override
  public List<byte[]> readJournal(String bundleId) {
    return List.of();
  }

  @Override
  public List<String> listJournals() {
    return List.of();
  }

  @Override
  public void deleteJournal(String bundleId) {
    throw readOnly("deleteJournal");
  }

  @Override
  public String describe() {
    return "the control plane's bundle of job " + jobId + " (" + base + ")";
  }

  private static FerryException readOnly(String operation) {
    return new FerryException(ErrorCode.UNSUPPORTED, "the control plane's bundle store is read-only: " + operation);
  }
}
