package io.ferry.standardization.bundle.internal;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Compression, hashing and zero detection of chunks. Contexts and digests are kept per thread, so
 * every method is safe to call from several threads at once without allocating per call beyond
 * the compressed output.
 */
public final class ChunkCodec {

  /** A shared block of zeros, never written. */
  private static final byte[] ZEROS = new byte[1 << 20];

  private static final HexFormat HEX = HexFormat.of();

  private static final ThreadLocal<MessageDigest> DIGESTS = ThreadLocal.withInitial(ChunkCodec::newSha256);
  private static final ThreadLocal<ZstdDecompressCtx> DECOMPRESSORS =
      ThreadLocal.withInitial(ZstdDecompressCtx::new);
  private static final ThreadLocal<ZstdCompressCtx> COMPRESSORS = ThreadLocal.withInitial(ZstdCompressCtx::new);

  private ChunkCodec() {}

  /** A new SHA-256 digest. */
  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException("every Java runtime has SHA-256", impossible);
    }
  }

  /** The SHA-256 of {@code data[0, length)} in lower-case hex. */
  public static String sha256(byte[] data, int length) {
    MessageDigest digest = DIGESTS.get();
    digest.reset();
    digest.update(data, 0, length);
    return HEX.formatHex(digest.digest());
  }

  /** Lower-case hex of a digest. */
  public static String hex(byte[] digest) {
    return HEX.formatHex(digest);
  }

  /** Whether {@code data[0, length)} is all zeros. */
  public static boolean isAllZero(byte[] data, int length) {
    for (int start = 0; start < length; start += ZEROS.length) {
      int count = Math.min(ZEROS.length, length - start);
      if (Arrays.mismatch(data, start, start + count, ZEROS, 0, count) >= 0) {
        return false;
      }
    }
    return true;
  }

  /** Feeds {@code count} zero bytes into {@code digest} without allocating. */
  public static void updateWithZeros(MessageDigest digest, long count) {
    long remaining = count;
    while (remaining > 0) {
      int step = (int) Math.min(ZEROS.length, remaining);
      digest.update(ZEROS, 0, step);
      remaining -= step;
    }
  }

  /** The largest compressed size of a chunk of {@code length} bytes. */
  public static int compressBound(int length) {
    return (int) Zstd.compressBound(length);
  }

  /**
   * Compresses {@code data[0, length)} into {@code output} (at least {@link
   * #compressBound(int)} long) as one zstd frame that records its content size; returns the
   * compressed length.
   */
  public static int compress(byte[] data, int length, byte[] output, int level) {
    ZstdCompressCtx context = COMPRESSORS.get();
    context.setLevel(level);
    context.setContentSize(true);
    context.setChecksum(false);
    return context.compressByteArray(output, 0, output.length, data, 0, length);
  }

  /**
   * Decompresses one stored chunk that must hold exactly {@code expectedLength} bytes into {@code
   * output}.
   *
   * @throws IllegalArgumentException naming what is wrong when the frame is damaged or has a
   *     different length
   */
  public static void decompress(byte[] compressed, byte[] output, int expectedLength) {
    int produced;
    try {
      produced =
          DECOMPRESSORS.get().decompressByteArray(output, 0, expectedLength, compressed, 0, compressed.length);
    } catch (ZstdException damaged) {
      throw new IllegalArgumentException("zstd frame is damaged: " + damaged.getMessage());
    }
    if (produced != expectedLength) {
      throw new IllegalArgumentException(
          "zstd frame holds " + produced + " bytes, expected " + expectedLength);
    }
  }
}
