package io.ferry.orchestrator.internal;

import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.Extent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.function.LongConsumer;

/**
 * The orchestrator's own block loops: a resumable export into a sparse raw file, and a streaming
 * copy into an upload that computes the whole-disk SHA-256 on the way. Memory: one 1 MiB block.
 */
public final class DiskStreams {

  /** The block size of every loop. */
  public static final int BLOCK = 1 << 20;

  /** How many bytes pass between export checkpoints. */
  public static final long CHECKPOINT_EVERY = 16L << 20;

  private DiskStreams() {}

  /**
   * Copies {@code reader}'s disk into the sparse raw file {@code target}, starting at {@code
   * resumeFrom} (a checkpoint of an earlier, interrupted run of the same export). Zero and
   * unallocated ranges are never read and all-zero blocks never written. Every {@link
   * #CHECKPOINT_EVERY} bytes the file is forced to disk and {@code checkpoint} receives the offset
   * up to which the file is complete.
   */
  public static void export(DiskImageReader reader, Path target, long resumeFrom, StepContext context,
      LongConsumer checkpoint) throws IOException {
    long size = reader.virtualSize();
    ByteBuffer buffer = ByteBuffer.allocateDirect(BLOCK);
    try (FileChannel channel = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.SPARSE)) {
      if (channel.size() != size) {
        channel.truncate(Math.min(channel.size(), size));
        if (channel.size() < size) {
          channel.write(ByteBuffer.allocate(1), size - 1);
        }
      }
      long lastCheckpoint = resumeFrom;
      Iterator<Extent> extents = reader.extents();
      while (extents.hasNext()) {
        Extent extent = extents.next();
        if (extent.end() <= resumeFrom) {
          continue;
        }
        long offset = Math.max(extent.offset(), resumeFrom);
        while (offset < extent.end()) {
          int length = (int) Math.min(BLOCK, extent.end() - offset);
          if (extent.type().holdsData()) {
            buffer.clear().limit(length);
            reader.read(offset, buffer);
            buffer.flip();
            if (!allZero(buffer)) {
              while (buffer.hasRemaining()) {
                channel.write(buffer, offset + buffer.position());
              }
            }
          }
          offset += length;
          if (offset - lastCheckpoint >= CHECKPOINT_EVERY) {
            channel.force(false);
            checkpoint.accept(offset);
            lastCheckpoint = offset;
          }
          context.progress(offset, size);
        }
      }
      channel.force(true);
    }
  }

  /**
   * Streams {@code source}'s disk into {@code writer} (non-zero blocks only, ascending), finishes
   * the writer and returns the SHA-256 of the whole disk, zeros included.
   */
  public static String upload(DiskImageReader source, DiskImageWriter writer, StepContext context) throws IOException {
    MessageDigest digest = sha256();
    long size = source.virtualSize();
    ByteBuffer buffer = ByteBuffer.allocate(BLOCK);
    Iterator<Extent> extents = source.extents();
    while (extents.hasNext()) {
      Extent extent = extents.next();
      long offset = extent.offset();
      while (offset < extent.end()) {
        int length = (int) Math.min(BLOCK, extent.end() - offset);
        buffer.clear().limit(length);
        if (extent.type().holdsData()) {
          source.read(offset, buffer);
          buffer.flip();
        } else {
          java.util.Arrays.fill(buffer.array(), 0, length, (byte) 0);
          buffer.position(length).flip();
        }
        digest.update(buffer.array(), 0, length);
        if (extent.type().holdsData() && !allZero(buffer)) {
          writer.write(offset, buffer);
        }
        offset += length;
        context.progress(offset, size);
      }
    }
    writer.finish();
    return HexFormat.of().formatHex(digest.digest());
  }

  /**
   * What {@link #digest(DiskImageReader, long, StepContext)} found.
   *
   * @param sha256 the SHA-256 of the disk's first {@code length} bytes, zeros included
   * @param firstNonZeroPadding the offset of the first non-zero byte past {@code length}, or -1
   */
  public record Digest(String sha256, long firstNonZeroPadding) {}

  /** The SHA-256 of {@code reader}'s whole disk, zeros included. */
  public static String digest(DiskImageReader reader, StepContext context) throws IOException {
    return digest(reader, reader.virtualSize(), context).sha256();
  }

  /**
   * The SHA-256 of {@code reader}'s first {@code length} bytes, zeros included, and where the
   * rest of the disk (a cloud's rounding up) first holds a non-zero byte.
   */
  public static Digest digest(DiskImageReader reader, long length, StepContext context) throws IOException {
    MessageDigest digest = sha256();
    long size = reader.virtualSize();
    long hashed = Math.min(length, size);
    ByteBuffer buffer = ByteBuffer.allocate(BLOCK);
    byte[] zeros = new byte[BLOCK];
    long firstNonZero = -1;
    Iterator<Extent> extents = reader.extents();
    while (extents.hasNext() && firstNonZero < 0) {
      Extent extent = extents.next();
      long offset = extent.offset();
      while (offset < extent.end()) {
        int blockLength = (int) Math.min(BLOCK, extent.end() - offset);
        if (offset < hashed) {
          blockLength = (int) Math.min(blockLength, hashed - offset);
        }
        if (extent.type().holdsData()) {
          buffer.clear().limit(blockLength);
          reader.read(offset, buffer);
          if (offset < hashed) {
            digest.update(buffer.array(), 0, blockLength);
          } else {
            int index = firstNonZeroIndex(buffer.array(), blockLength);
            if (index >= 0) {
              firstNonZero = offset + index;
              break;
            }
          }
        } else if (offset < hashed) {
          digest.update(zeros, 0, blockLength);
        }
        offset += blockLength;
        context.progress(offset, size);
      }
    }
    return new Digest(HexFormat.of().formatHex(digest.digest()), firstNonZero);
  }

  private static int firstNonZeroIndex(byte[] bytes, int length) {
    for (int index = 0; index < length; index++) {
      if (bytes[index] != 0) {
        return index;
      }
    }
    return -1;
  }

  private static boolean allZero(ByteBuffer buffer) {
    int position = buffer.position();
    int limit = buffer.limit();
    int index = position;
    while (index + 8 <= limit) {
      if (buffer.getLong(index) != 0) {
        return false;
      }
      index += 8;
    }
    while (index < limit) {
      if (buffer.get(index) != 0) {
        return false;
      }
      index++;
    }
    return true;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
