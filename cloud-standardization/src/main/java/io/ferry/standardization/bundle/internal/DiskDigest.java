package io.ferry.standardization.bundle.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.bundle.BundleManifest;
import io.ferry.standardization.bundle.BundleManifest.ChunkEntry;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * The whole-disk digest of a manifest, fed in disk order with zero ranges and chunks, computed the
 * way the manifest's {@code disk.digestAlgorithm} says:
 *
 * <ul>
 *   <li>{@code sha256} (format version 1): the SHA-256 of the whole virtual disk, zeros included;
 *   <li>{@code sha256-chunk-list} (format version 2): the SHA-256 of the concatenated 32-byte
 *       SHA-256 digests of every chunk of the chunk grid in disk order ({@code chunkSize} bytes
 *       each, the last one as long as what is left), zero chunks included. A stored chunk's digest
 *       is its id; a zero chunk's digest is a constant.
 * </ul>
 *
 * Chunks must be fed whole and chunk-aligned; zero ranges must start and end on the grid (or at
 * the end of the disk).
 */
public abstract class DiskDigest {

  private static final HexFormat HEX = HexFormat.of();

  protected final MessageDigest digest = ChunkCodec.newSha256();

  /** A digest for {@code manifest}'s algorithm. */
  public static DiskDigest forManifest(BundleManifest manifest) {
    return of(manifest.disk().digestAlgorithm(), manifest.chunking().chunkSize(), manifest.disk().virtualSize());
  }

  /** A digest of {@code algorithm} for a disk of {@code virtualSize} bytes cut into {@code chunkSize}. */
  public static DiskDigest of(String algorithm, int chunkSize, long virtualSize) {
    if (BundleManifest.Disk.SHA256.equals(algorithm)) {
      return new Plain();
    }
    if (BundleManifest.Disk.SHA256_CHUNK_LIST.equals(algorithm)) {
      return new ChunkList(chunkSize, virtualSize);
    }
    throw new FerryException(ErrorCode.UNSUPPORTED, "unknown disk digest algorithm: " + algorithm);
  }

  /**
   * The chunk-list digest of a disk whose non-zero chunks are {@code chunks} (ascending; ranges not
   * listed are zeros), from their ids alone: no data is read.
   */
  public static String chunkList(List<ChunkEntry> chunks, int chunkSize, long virtualSize) {
    DiskDigest digest = new ChunkList(chunkSize, virtualSize);
    long position = 0;
    for (ChunkEntry entry : chunks) {
      digest.zeros(entry.offset() - position);
      digest.chunk(null, (int) entry.length(), entry.sha256());
      position = entry.end();
    }
    digest.zeros(virtualSize - position);
    return digest.finish();
  }

  /** The next {@code count} bytes of the disk are zeros. */
  public abstract void zeros(long count);

  /**
   * The next chunk: {@code length} bytes of {@code data}. {@code knownId} is its SHA-256 when the
   * caller has already checked the data against it (then {@code data} may be null for a
   * chunk-list digest), otherwise null.
   */
  public abstract void chunk(byte[] data, int length, String knownId);

  /** The digest in lower-case hex. */
  public String finish() {
    return HEX.formatHex(digest.digest());
  }

  /** SHA-256 of every byte. */
  private static final class Plain extends DiskDigest {
    @Override
    public void zeros(long count) {
      ChunkCodec.updateWithZeros(digest, count);
    }

    @Override
    public void chunk(byte[] data, int length, String knownId) {
      digest.update(data, 0, length);
    }
  }

  /** SHA-256 over the chunks' SHA-256 digests. */
  private static final class ChunkList extends DiskDigest {
    /** How many zero-chunk digests one update feeds. */
    private static final int ZERO_BATCH = 1024;

    private final int chunkSize;
    private final long virtualSize;
    private final byte[] zeroChunkDigests;
    private long position;

    ChunkList(int chunkSize, long virtualSize) {
      this.chunkSize = chunkSize;
      this.virtualSize = virtualSize;
      byte[] zeroChunk = zeroDigest(chunkSize);
      zeroChunkDigests = new byte[ZERO_BATCH * zeroChunk.length];
      for (int index = 0; index < ZERO_BATCH; index++) {
        System.arraycopy(zeroChunk, 0, zeroChunkDigests, index * zeroChunk.length, zeroChunk.length);
      }
    }

    @Override
    public void zeros(long count) {
      if (count <= 0) {
        return;
      }
      long end = position + count;
      if (position % chunkSize != 0 || (end % chunkSize != 0 && end != virtualSize) || end > virtualSize) {
        throw new IllegalStateException("zero range [" + position + ", " + end + ") is off the chunk grid");
      }
      long fullChunks = (end - position) / chunkSize;
      while (fullChunks > 0) {
        int batch = (int) Math.min(ZERO_BATCH, fullChunks);
        digest.update(zeroChunkDigests, 0, batch * 32);
        fullChunks -= batch;
      }
      long tail = (end - position) % chunkSize;
      if (tail > 0) {
        digest.update(zeroDigest(tail));
      }
      position = end;
    }

    @Override
    public void chunk(byte[] data, int length, String knownId) {
      long expected = Math.min(chunkSize, virtualSize - position);
      if (position % chunkSize != 0 || length != expected) {
        throw new IllegalStateException("chunk of " + length + " bytes at " + position + " is off the chunk grid");
      }
      String id = knownId != null ? knownId : ChunkCodec.sha256(data, length);
      digest.update(HEX.parseHex(id));
      position += length;
    }

    private static byte[] zeroDigest(long length) {
      MessageDigest zero = ChunkCodec.newSha256();
      ChunkCodec.updateWithZeros(zero, length);
      return zero.digest();
    }
  }
}
