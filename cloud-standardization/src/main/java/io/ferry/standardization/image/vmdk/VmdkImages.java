package io.ferry.standardization.image.vmdk;

import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.WriteOptions;
import io.ferry.standardization.image.internal.FileWindow;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.Deflater;

/**
 * VMDK images: monolithicSparse and streamOptimized (a hosted sparse extent, magic {@code KDMV}),
 * descriptor files with FLAT extents (monolithicFlat), read; streamOptimized written.
 */
public final class VmdkImages {

  /** The adapter type written into new descriptors. */
  public static final String DEFAULT_ADAPTER_TYPE = "lsilogic";

  private VmdkImages() {}

  /** Whether {@code header} (the first bytes of a file) starts with the sparse extent magic. */
  public static boolean isSparseExtent(ByteBuffer header) {
    return SparseExtentHeader.hasMagic(header);
  }

  /** Whether the sparse extent header in {@code header} declares compressed grains (a stream). */
  public static boolean isStreamOptimized(ByteBuffer header) {
    if (!isSparseExtent(header) || header.remaining() < 12) {
      return false;
    }
    int flags = header.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(header.position() + 8);
    return (flags & SparseExtentHeader.FLAG_COMPRESSED) != 0;
  }

  /** Whether {@code header} is the start of a text descriptor file. */
  public static boolean isDescriptorFile(ByteBuffer header) {
    byte[] signature = VmdkDescriptor.SIGNATURE.getBytes(StandardCharsets.US_ASCII);
    if (header.remaining() < signature.length) {
      return false;
    }
    for (int index = 0; index < signature.length; index++) {
      if (header.get(header.position() + index) != signature[index]) {
        return false;
      }
    }
    return true;
  }

  /** Opens a VMDK file: a sparse extent (sparse or stream) or a descriptor with flat extents. */
  public static DiskImageReader open(Path path) throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      ByteBuffer head = ByteBuffer.allocate(64);
      channel.read(head, 0);
      head.flip();
      if (isDescriptorFile(head)) {
        channel.close();
        return VmdkDescriptorReader.open(path);
      }
      return VmdkSparseReader.open(new FileWindow("VMDK", channel, 0, channel.size()), channel);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /**
   * Opens the sparse extent stored at {@code [offset, offset + length)} of {@code channel} (a VMDK
   * inside an OVA's tar). The caller keeps and closes the channel.
   */
  public static DiskImageReader openSparseExtent(FileChannel channel, long offset, long length)
      throws IOException {
    return VmdkSparseReader.open(new FileWindow("VMDK", channel, offset, length), null);
  }

  /**
   * Creates a streamOptimized VMDK writer. Compresses grains on {@code options.threads()} threads;
   * the level is zlib's (1 to 9; the default is 1, fast, as images are mostly compressed again in
   * transit anyway).
   *
   * @param extentFileName the file name recorded in the descriptor's extent line
   */
  public static DiskImageWriter createStreamOptimized(
      Path target, long virtualSize, WriteOptions options, String extentFileName)
      throws IOException {
    int level =
        options.compressionLevel() == WriteOptions.DEFAULT_LEVEL
            ? Deflater.BEST_SPEED
            : Math.min(9, Math.max(0, options.compressionLevel()));
    return new StreamOptimizedWriter(
        target, virtualSize, options.threads(), level, extentFileName, DEFAULT_ADAPTER_TYPE);
  }

  /** A corrupt-image error about a VMDK. */
  static FerryException corrupt(String message) {
    return FileWindow.corrupt("VMDK", message);
  }

  /** An unsupported-feature error about a VMDK. */
  static FerryException unsupported(String message) {
    return FileWindow.unsupported("VMDK", message);
  }
}
