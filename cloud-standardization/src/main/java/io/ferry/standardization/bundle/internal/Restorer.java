package io.ferry.standardization.bundle.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.bundle.BundleManifest;
import io.ferry.standardization.bundle.BundleManifest.ChunkEntry;
import io.ferry.standardization.bundle.ChunkStore;
import io.ferry.standardization.bundle.RestoreOptions;
import io.ferry.standardization.bundle.RestoreResult;
import io.ferry.standardization.bundle.VerifyReport;
import io.ferry.standardization.image.DiskImageWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a bundle's chunks to a disk image writer in disk order, verifying each chunk's hash
 * before it is written, and verifies bundles without writing.
 */
public final class Restorer {

  private static final byte[] ZERO_CHUNK_SOURCE = new byte[1 << 20];

  private final ChunkStore store;

  public Restorer(ChunkStore store) {
    this.store = store;
  }

  /**
   * Restores {@code manifest} into {@code writer}, which the caller finishes or discards. With a
   * resumable {@code target} (the same object as the writer), chunks below its recorded progress
   * are skipped and progress is checkpointed as chunks are written.
   *
   * @throws FerryException INTEGRITY_CHECK_FAILED naming the chunk and its disk offset when a
   *     chunk is damaged or missing, or when the whole-disk digest differs
   */
  public RestoreResult restore(
      BundleManifest manifest, DiskImageWriter writer, RawFileTarget target, boolean writeZeros,
      RestoreOptions options)
      throws IOException {
    long started = System.nanoTime();
    String bundleId = manifest.bundleId();
    long virtualSize = manifest.disk().virtualSize();
    if (writer.virtualSize() < virtualSize) {
      throw new FerryException(ErrorCode.INVALID_REQUEST,
          "the target holds " + writer.virtualSize() + " bytes, bundle " + bundleId + " needs " + virtualSize);
    }
    long resumeFrom = 0;
    if (target != null) {
      var progress = target.progress();
      if (progress.isPresent()
          && progress.get().bundleId().equals(bundleId)
          && progress.get().diskSha256().equals(manifest.disk().sha256())) {
        resumeFrom = progress.get().restoredUpTo();
      }
    }
    DiskDigest digest = options.checkDiskDigest() ? DiskDigest.forManifest(manifest) : null;
    if (digest != null && resumeFrom > 0) {
      target.digestPrefix(digest, resumeFrom, manifest.chunking().chunkSize());
    }
    List<ChunkEntry> remaining = new ArrayList<>();
    for (ChunkEntry entry : manifest.chunks()) {
      if (entry.offset() >= resumeFrom) {
        remaining.add(entry);
      }
    }
    long position = resumeFrom;
    long bytesWritten = 0;
    long chunksWritten = 0;
    try (OrderedChunkReader chunks =
        new OrderedChunkReader(store, remaining, manifest.chunking().chunkSize(), options.threads(),
            options.chunksInFlight())) {
      OrderedChunkReader.Fetched fetched;
      while ((fetched = chunks.next()) != null) {
        ChunkEntry entry = fetched.entry();
        if (!fetched.intact()) {
          throw new FerryException(ErrorCode.INTEGRITY_CHECK_FAILED,
              "bundle " + bundleId + ": " + new VerifyReport.ChunkProblem(entry.sha256(), entry.offset(),
                  fetched.problem()) + "; nothing was completed");
        }
        gap(writer, digest, position, entry.offset(), writeZeros);
        if (digest != null) {
          digest.chunk(fetched.data(), (int) entry.length(), entry.sha256()); // intact: hashes to its id
        }
        writer.write(entry.offset(), ByteBuffer.wrap(fetched.data(), 0, (int) entry.length()));
        chunks.release(fetched);
        position = entry.end();
        bytesWritten += entry.length();
        chunksWritten++;
        if (target != null && chunksWritten % options.checkpointEveryChunks() == 0) {
          target.checkpoint(new RawFileTarget.Progress(bundleId, manifest.disk().sha256(), position));
        }
        options.listener().progress(position, virtualSize);
      }
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new FerryException(ErrorCode.CANCELLED, "restoring " + bundleId + " was interrupted");
    }
    gap(writer, digest, position, virtualSize, writeZeros);
    if (digest != null) {
      String actual = digest.finish();
      if (!actual.equals(manifest.disk().sha256())) {
        throw new FerryException(ErrorCode.INTEGRITY_CHECK_FAILED,
            "bundle " + bundleId + ": the restored disk's " + manifest.disk().digestAlgorithm() + " digest is "
                + actual + ", the manifest says " + manifest.disk().sha256());
      }
    }
    options.listener().progress(virtualSize, virtualSize);
    return new RestoreResult(bundleId, bytesWritten, chunksWritten, resumeFrom,
        Duration.ofNanos(System.nanoTime() - started));
  }

  private static void gap(DiskImageWriter writer, DiskDigest digest, long from, long to, boolean writeZeros)
      throws IOException {
    if (to <= from) {
      return;
    }
    if (digest != null) {
      digest.zeros(to - from);
    }
    if (writeZeros) {
      for (long position = from; position < to; ) {
        int step = (int) Math.min(ZERO_CHUNK_SOURCE.length, to - position);
        writer.write(position, ByteBuffer.wrap(ZERO_CHUNK_SOURCE, 0, step));
        position += step;
      }
    }
  }

  /** Re-hashes every chunk of {@code manifest} and recomputes the whole-disk digest. */
  public VerifyReport verify(BundleManifest manifest, int threads, int chunksInFlight) throws IOException {
    DiskDigest digest = DiskDigest.forManifest(manifest);
    List<VerifyReport.ChunkProblem> problems = new ArrayList<>();
    long position = 0;
    long checked = 0;
    try (OrderedChunkReader chunks =
        new OrderedChunkReader(store, manifest.chunks(), manifest.chunking().chunkSize(), threads, chunksInFlight)) {
      OrderedChunkReader.Fetched fetched;
      while ((fetched = chunks.next()) != null) {
        ChunkEntry entry = fetched.entry();
        checked++;
        if (!fetched.intact()) {
          problems.add(new VerifyReport.ChunkProblem(entry.sha256(), entry.offset(), fetched.problem()));
        } else if (problems.isEmpty()) {
          digest.zeros(entry.offset() - position);
          digest.chunk(fetched.data(), (int) entry.length(), entry.sha256()); // intact: hashes to its id
        }
        position = entry.end();
        chunks.release(fetched);
      }
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new FerryException(ErrorCode.CANCELLED, "verifying " + manifest.bundleId() + " was interrupted");
    }
    if (!problems.isEmpty()) {
      return new VerifyReport(manifest.bundleId(), checked, problems, false, false);
    }
    digest.zeros(manifest.disk().virtualSize() - position);
    boolean matches = digest.finish().equals(manifest.disk().sha256());
    return new VerifyReport(manifest.bundleId(), checked, problems, true, matches);
  }
}
