package io.ferry.standardization.image.internal;

import java.util.Arrays;
import java.util.zip.Deflater;

/**
 * Tells, cheaply, whether a block looks like data that deflate cannot shrink (compressed or
 * encrypted files, random bytes), so that a writer can store it (deflate level 0: a few bytes of
 * framing per 64 KiB) instead of spending a full deflate on it for nothing. Three tests must all
 * agree: the byte entropy of a sample spread over the whole block is near 8 bits per byte; no two
 * 4 KiB pieces of the block start alike (repeats that LZ77 would find); and deflating the block's
 * first 4 KiB saves under 1%. Any compressible region in the sample or any repeat keeps the block
 * compressed. Costs about a twentieth of deflating the block. Keeps per-thread state; safe to
 * call from several threads.
 */
public final class Incompressible {

  /** Bytes taken every {@link #STRIDE} bytes for the entropy sample. */
  private static final int SAMPLE = 64;

  private static final int STRIDE = 512;
  private static final int PIECE = 4096;
  private static final int PROBE = 4096;
  private static final int PREFIX = 16;

  /** Below this sampled entropy (bits per byte) a block is taken for compressible. */
  static final double ENTROPY_THRESHOLD = 7.9;

  private static final ThreadLocal<Deflater> PROBES =
      ThreadLocal.withInitial(() -> new Deflater(1, true));
  private static final ThreadLocal<byte[]> PROBE_OUTPUT =
      ThreadLocal.withInitial(() -> new byte[PROBE + 1024]);

  private Incompressible() {}

  /** Whether {@code data[0, length)} looks incompressible; blocks under 8 KiB never do. */
  public static boolean looksIncompressible(byte[] data, int length) {
    if (length < 2 * PIECE) {
      return false;
    }
    return sampledEntropy(data, length) >= ENTROPY_THRESHOLD
        && !piecesRepeat(data, length)
        && !headDeflates(data);
  }

  /** The byte entropy, in bits per byte, of {@link #SAMPLE} bytes every {@link #STRIDE} bytes. */
  static double sampledEntropy(byte[] data, int length) {
    int[] counts = new int[256];
    int total = 0;
    for (int start = 0; start + SAMPLE <= length; start += STRIDE) {
      for (int index = start; index < start + SAMPLE; index++) {
        counts[data[index] & 0xFF]++;
      }
      total += SAMPLE;
    }
    double entropy = 0;
    for (int count : counts) {
      if (count > 0) {
        double probability = (double) count / total;
        entropy -= probability * Math.log(probability);
      }
    }
    return entropy / Math.log(2);
  }

  /** Whether two 4 KiB pieces begin with the same {@link #PREFIX} bytes. */
  private static boolean piecesRepeat(byte[] data, int length) {
    int pieces = length / PIECE;
    for (int first = 0; first < pieces; first++) {
      for (int second = first + 1; second < pieces; second++) {
        if (Arrays.mismatch(
                data, first * PIECE, first * PIECE + PREFIX, data, second * PIECE, second * PIECE + PREFIX)
            < 0) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether deflate (level 1) shrinks the first 4 KiB by at least 1%. */
  private static boolean headDeflates(byte[] data) {
    Deflater deflater = PROBES.get();
    byte[] output = PROBE_OUTPUT.get();
    deflater.reset();
    deflater.setInput(data, 0, PROBE);
    deflater.finish();
    int size = 0;
    while (!deflater.finished() && size < output.length) {
      size += deflater.deflate(output, size, output.length - size);
    }
    return deflater.finished() && size < PROBE - PROBE / 100;
  }
}
