package io.ferry.standardization.image.gcp;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.Extent;
import io.ferry.standardization.image.ExtentType;
import io.ferry.standardization.image.internal.ScratchFile;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Reads a GCP image archive. A gzip'd tar cannot be read at random offsets, so opening extracts
 * {@code disk.raw} once into a sparse {@link ScratchFile} next to the archive: all-zero 64 KiB
 * blocks are left as holes and remembered in a bitmap (1 bit per 64 KiB), which is the extent map. Memory
 * stays bounded; disk space needed is the allocated part of the disk.
 */
final class GcpArchiveReader implements DiskImageReader {

  static final int BLOCK = 64 * 1024;
  private static final long MAX_SIZE = 64L << 40;
  private static final int MAX_ENTRIES = 1000;

  private final ScratchFile extracted;
  private final FileChannel channel;
  private final long virtualSize;
  private final BitSet allocated;

  private GcpArchiveReader(ScratchFile extracted, long virtualSize, BitSet allocated) {
    this.extracted = extracted;
    this.channel = extracted.channel();
    this.virtualSize = virtualSize;
    this.allocated = allocated;
  }

  static GcpArchiveReader open(Path archive) throws IOException {
    ScratchFile extracted = ScratchFile.nextTo(archive);
    try {
      try (InputStream file = new BufferedInputStream(Files.newInputStream(archive), 1 << 16)) {
        GzipCompressorInputStream gzip;
        try {
          gzip = GzipCompressorInputStream.builder().setInputStream(file).setDecompressConcatenated(true).get();
        } catch (IOException e) {
          throw corrupt("no gzip header at offset 0: " + e.getMessage());
        }
        try (TarArchiveInputStream tar = new TarArchiveInputStream(gzip)) {
          TarArchiveEntry entry = findDisk(tar);
          long size = entry.isSparse() ? entry.getRealSize() : entry.getSize();
          if (size < 0 || size > MAX_SIZE) {
            throw corrupt("disk.raw declares an absurd size of " + size + " bytes");
          }
          BitSet allocated = extract(tar, extracted, size);
          verifyRest(tar, gzip);
          return new GcpArchiveReader(extracted, size, allocated);
        }
      }
    } catch (IOException | RuntimeException e) {
      extracted.close();
      throw e;
    }
  }

  private static TarArchiveEntry findDisk(TarArchiveInputStream tar) throws IOException {
    for (int count = 0; count < MAX_ENTRIES; count++) {
      TarArchiveEntry entry;
      try {
        entry = tar.getNextEntry();
      } catch (IOException | IllegalArgumentException | IllegalStateException e) {
        throw corrupt("tar header of entry " + count + " is malformed: " + e.getMessage());
      }
      if (entry == null) {
        break;
      }
      String name = entry.getName().startsWith("./") ? entry.getName().substring(2) : entry.getName();
      if (name.equals(GcpArchiveWriter.DISK_NAME)) {
        if (!entry.isFile()) {
          throw corrupt("disk.raw is not a regular file in the tar");
        }
        return entry;
      }
    }
    throw corrupt("the tar holds no disk.raw");
  }

  private static BitSet extract(TarArchiveInputStream tar, ScratchFile extracted, long size)
      throws IOException {
    BitSet allocated = new BitSet((int) Math.min(Integer.MAX_VALUE, (size + BLOCK - 1) / BLOCK));
    byte[] block = new byte[BLOCK];
    long position = 0;
    while (position < size) {
      int length = (int) Math.min(BLOCK, size - position);
      int read;
      try {
        read = tar.readNBytes(block, 0, length);
      } catch (IOException | RuntimeException e) {
        throw corrupt("disk.raw cannot be decompressed at disk offset " + position + ": " + e.getMessage());
      }
      if (read < length) {
        throw corrupt("disk.raw is truncated at disk offset " + (position + read) + " of " + size);
      }
      if (extracted.writeBlock(position, block, length)) {
        allocated.set((int) (position / BLOCK));
      }
      position += length;
    }
    extracted.extendTo(size);
    return allocated;
  }

  /**
   * Reads the archive to its end so that gzip checks its CRC-32 and length: damage inside the
   * compressed data can inflate without error, and only the trailer reveals it.
   */
  private static void verifyRest(TarArchiveInputStream tar, InputStream gzip) {
    try {
      for (int count = 0; count < MAX_ENTRIES && tar.getNextEntry() != null; count++) {
        // later entries are not part of the image
      }
      gzip.transferTo(java.io.OutputStream.nullOutputStream());
    } catch (IOException | RuntimeException e) {
      throw corrupt("the archive fails its gzip integrity check after disk.raw: " + e.getMessage());
    }
  }

  static FerryException corrupt(String message) {
    return new FerryException(ErrorCode.IMAGE_CORRUPT, "GCP archive: " + message);
  }

  @Override
  public DiskFormat format() {
    return DiskFormat.GCP_IMAGE_TAR;
  }

  @Override
  public long virtualSize() {
    return virtualSize;
  }

  @Override
  public Iterator<Extent> extents() {
    return new Iterator<>() {
      private long position;

      @Override
      public boolean hasNext() {
        return position < virtualSize;
      }

      @Override
      public Extent next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        int block = (int) (position / BLOCK);
        boolean data = allocated.get(block);
        int end = data ? allocated.nextClearBit(block) : allocated.nextSetBit(block);
        long endOffset = end < 0 ? virtualSize : Math.min(virtualSize, (long) end * BLOCK);
        Extent extent =
            new Extent(position, endOffset - position, data ? ExtentType.DATA : ExtentType.UNALLOCATED);
        position = endOffset;
        return extent;
      }
    };
  }

  @Override
  public void read(long offset, ByteBuffer destination) throws IOException {
    if (offset < 0 || offset > virtualSize || destination.remaining() > virtualSize - offset) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST,
          "GCP archive: read of " + destination.remaining() + " bytes at " + offset
              + " outside the disk of " + virtualSize + " bytes");
    }
    long position = offset;
    while (destination.hasRemaining()) {
      int read = channel.read(destination, position);
      if (read < 0) {
        throw new FerryException(ErrorCode.IO_ERROR, "GCP archive: extracted disk.raw shrank");
      }
      position += read;
    }
  }

  @Override
  public void close() throws IOException {
    extracted.close();
  }
}
