package io.ferry.standardization.image.gcp;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.internal.Zeros;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * One gzip member (RFC 1952) compressed on several threads the way pigz does it: the data is cut
 * into 1 MiB chunks, each deflated independently and ended with a sync flush (so the raw deflate
 * pieces concatenate into one valid stream), the last one finished. Each chunk's CRC-32 is
 * computed by its compressor and folded in order with {@link Crc32Combination}. All-zero chunks
 * reuse one precomputed compressed form, so long runs of zeros cost almost nothing. At most {@code
 * 4 * threads} chunks are in flight: memory stays bounded.
 */
final class ParallelGzipOutput {

  static final int CHUNK = 1 << 20;

  private final OutputStream out;
  private final int level;
  private final ExecutorService compressors;
  private final int maxInFlight;
  private final Deque<Future<Piece>> inFlight = new ArrayDeque<>();
  private final Crc32Combination chunkCombination = new Crc32Combination(CHUNK);
  private Piece zeroPiece;
  private byte[] chunk;
  private int fill;
  private int crc;
  private long total;

  /** A compressed chunk: deflate bytes, the chunk's CRC-32 and length. */
  private record Piece(byte[] bytes, int length, int crc, int inputLength) {}

  ParallelGzipOutput(OutputStream out, int threads, int level) throws IOException {
    this.out = out;
    this.level = level;
    this.maxInFlight = 4 * threads;
    this.compressors =
        Executors.newFixedThreadPool(
            threads,
            runnable -> {
              Thread thread = new Thread(runnable, "gzip-compressor");
              thread.setDaemon(true);
              return thread;
            });
    // Header: magic, deflate, no flags, no modification time, no extra flags, OS unknown.
    out.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 255});
  }

  /** Appends the remaining bytes of {@code data}. */
  void write(ByteBuffer data) throws IOException {
    while (data.hasRemaining()) {
      if (chunk == null) {
        chunk = new byte[CHUNK];
      }
      int length = Math.min(data.remaining(), CHUNK - fill);
      data.get(chunk, fill, length);
      fill += length;
      if (fill == CHUNK) {
        submitChunk();
      }
    }
  }

  /** Appends {@code count} zero bytes. */
  void writeZeros(long count) throws IOException {
    long remaining = count;
    while (remaining > 0) {
      if (fill == 0 && remaining >= CHUNK) {
        enqueue(zeroPiece());
        remaining -= CHUNK;
        continue;
      }
      if (chunk == null) {
        chunk = new byte[CHUNK];
      }
      int length = (int) Math.min(remaining, CHUNK - fill);
      Arrays.fill(chunk, fill, fill + length, (byte) 0);
      fill += length;
      remaining -= length;
      if (fill == CHUNK) {
        submitChunk();
      }
    }
  }

  private void submitChunk() throws IOException {
    byte[] data = chunk;
    chunk = null;
    fill = 0;
    if (Zeros.isZero(data, 0, CHUNK)) {
      enqueue(zeroPiece());
      return;
    }
    makeRoom();
    inFlight.add(compressors.submit(() -> compress(data, CHUNK, false)));
  }

  private Piece zeroPiece() {
    if (zeroPiece == null) {
      zeroPiece = compress(new byte[CHUNK], CHUNK, false);
    }
    return zeroPiece;
  }

  private void enqueue(Piece piece) throws IOException {
    makeRoom();
    inFlight.add(java.util.concurrent.CompletableFuture.completedFuture(piece));
  }

  private void makeRoom() throws IOException {
    while (inFlight.size() >= maxInFlight) {
      drainOldest();
    }
  }

  private Piece compress(byte[] data, int length, boolean last) {
    CRC32 checksum = new CRC32();
    checksum.update(data, 0, length);
    Deflater deflater = new Deflater(level, true);
    try {
      deflater.setInput(data, 0, length);
      if (last) {
        deflater.finish();
      }
      byte[] output = new byte[length + length / 8 + 1024];
      int size = 0;
      while (true) {
        int count =
            last
                ? deflater.deflate(output, size, output.length - size)
                : deflater.deflate(output, size, output.length - size, Deflater.SYNC_FLUSH);
        size += count;
        boolean done = last ? deflater.finished() : size < output.length && deflater.needsInput();
        if (done) {
          break;
        }
        if (size == output.length) {
          output = Arrays.copyOf(output, output.length * 2);
        }
      }
      return new Piece(output, size, (int) checksum.getValue(), length);
    } finally {
      deflater.end();
    }
  }

  private void drainOldest() throws IOException {
    Future<Piece> future = inFlight.removeFirst();
    Piece piece;
    try {
      piece = future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while compressing");
    } catch (ExecutionException e) {
      throw new FerryException(ErrorCode.INTERNAL, "gzip: compression failed", e.getCause());
    }
    out.write(piece.bytes(), 0, piece.length());
    crc =
        piece.inputLength() == CHUNK
            ? chunkCombination.combine(crc, piece.crc())
            : new Crc32Combination(piece.inputLength()).combine(crc, piece.crc());
    total += piece.inputLength();
  }

  /** Compresses what is buffered as the final chunk and writes the gzip trailer. */
  void finish() throws IOException {
    byte[] data = chunk == null ? new byte[0] : chunk;
    int length = fill;
    chunk = null;
    fill = 0;
    makeRoom();
    inFlight.add(compressors.submit(() -> compress(data, length, true)));
    while (!inFlight.isEmpty()) {
      drainOldest();
    }
    compressors.shutdown();
    ByteBuffer trailer = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    trailer.putInt(crc);
    trailer.putInt((int) total);
    out.write(trailer.array());
    out.flush();
  }

  /** Stops the compressors without writing anything more. */
  void abort() {
    compressors.shutdownNow();
    inFlight.forEach(future -> future.cancel(true));
    inFlight.clear();
  }
}
