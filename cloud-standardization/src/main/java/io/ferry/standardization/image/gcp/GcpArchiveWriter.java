package io.ferry.standardization.image.gcp;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.internal.PartialFile;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipEncodingHelper;

/**
 * Writes Google Compute Engine's image archive: a gzip'd tar holding one file, {@code disk.raw},
 * in the old GNU tar format ({@code tar --format=oldgnu}, as Google's import documentation uses;
 * sizes above 8 GiB in GNU base-256). The tar is streamed: holes go in as zeros, which cost almost
 * nothing compressed; compression runs on {@code threads} threads ({@link ParallelGzipOutput}).
 */
final class GcpArchiveWriter implements DiskImageWriter {

  static final String DISK_NAME = "disk.raw";
  private static final int BLOCK = 512;
  private static final int RECORD = 20 * BLOCK; // GNU tar's default blocking factor

  private final PartialFile file;
  private final OutputStream stream;
  private final ParallelGzipOutput gzip;
  private final long virtualSize;
  private long nextOffset;
  private boolean finished;

  GcpArchiveWriter(Path target, long virtualSize, int threads, int level, Clock clock)
      throws IOException {
    if (virtualSize < 0 || virtualSize > (64L << 40)) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST, "GCP archive: cannot write a disk of " + virtualSize + " bytes");
    }
    this.virtualSize = virtualSize;
    this.file = PartialFile.create(target);
    try {
      this.stream = new BufferedOutputStream(Channels.newOutputStream(file.channel()), 1 << 16);
      this.gzip = new ParallelGzipOutput(stream, threads, level);
      gzip.write(ByteBuffer.wrap(header(virtualSize, clock.millis())));
    } catch (IOException | RuntimeException e) {
      file.close();
      throw e;
    }
  }

  /** The tar header of disk.raw, in the old GNU format (magic "ustar  \0"). */
  static byte[] header(long size, long millis) throws IOException {
    TarArchiveEntry entry = new TarArchiveEntry(DISK_NAME);
    entry.setSize(size);
    entry.setMode(0644);
    entry.setModTime(millis);
    entry.setUserName("root");
    entry.setGroupName("root");
    byte[] header = new byte[BLOCK];
    // starMode: numbers too large for octal are written in base-256, as GNU tar does.
    entry.writeEntryHeader(header, ZipEncodingHelper.getZipEncoding(StandardCharsets.UTF_8), true);
    byte[] magic = (TarConstants.MAGIC_GNU + TarConstants.VERSION_GNU_SPACE).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(magic, 0, header, TarConstants.MAGIC_OFFSET, magic.length);
    long sum = 0;
    for (int index = 0; index < BLOCK; index++) {
      boolean inChecksum = index >= 148 && index < 156;
      sum += inChecksum ? ' ' : header[index] & 0xFF;
    }
    byte[] checksum = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(checksum, 0, header, 148, 6);
    header[154] = 0;
    header[155] = ' ';
    return header;
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
  public void write(long offset, ByteBuffer data) throws IOException {
    if (finished) {
      throw new IllegalStateException("writer is finished");
    }
    if (offset < nextOffset || offset > virtualSize - data.remaining()) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST,
          "GCP archive: write of " + data.remaining() + " bytes at " + offset
              + " goes backwards or past the disk of " + virtualSize + " bytes");
    }
    gzip.writeZeros(offset - nextOffset);
    nextOffset = offset + data.remaining();
    gzip.write(data);
  }

  @Override
  public void finish() throws IOException {
    if (finished) {
      return;
    }
    gzip.writeZeros(virtualSize - nextOffset);
    nextOffset = virtualSize;
    long padding = (BLOCK - virtualSize % BLOCK) % BLOCK;
    long tarLength = BLOCK + virtualSize + padding + 2L * BLOCK;
    long recordPadding = (RECORD - tarLength % RECORD) % RECORD;
    gzip.writeZeros(padding + 2L * BLOCK + recordPadding);
    gzip.finish();
    stream.flush();
    file.commit();
    finished = true;
  }

  @Override
  public void close() throws IOException {
    if (!finished) {
      gzip.abort();
    }
    file.close();
  }
}
