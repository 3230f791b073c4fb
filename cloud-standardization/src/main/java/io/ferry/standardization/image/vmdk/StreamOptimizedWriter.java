package io.ferry.standardization.image.vmdk;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.internal.Incompressible;
import io.ferry.standardization.image.internal.PartialFile;
import io.ferry.standardization.image.internal.Zeros;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.Deflater;

/**
 * Writes a streamOptimized VMDK as vSphere, ovftool and cloud import services expect: header
 * (grain directory at the end), embedded descriptor, then 64 KiB grains compressed with deflate in
 * a zlib wrapper behind grain markers, each grain table after its grains behind a grain table
 * marker, the grain directory behind its marker, the footer (a copy of the header pointing at the
 * grain directory) behind its marker, and the end-of-stream marker. The file is written strictly
 * front to back. All-zero grains are left out; grains that look incompressible ({@link
 * Incompressible}) are stored in deflate's stored blocks. Grains are compressed on {@code threads} threads
 * with a bounded number in flight, so memory stays bounded.
 */
final class StreamOptimizedWriter implements DiskImageWriter {

  static final int GRAIN_SECTORS = 128;
  static final int GRAIN_BYTES = GRAIN_SECTORS * 512;
  static final int GTES_PER_TABLE = 512;
  private static final int DESCRIPTOR_SECTORS = 20;
  private static final int OVERHEAD_SECTORS = 128;

  private final PartialFile file;
  private final FileChannel channel;
  private final long virtualSize;
  private final int level;
  private final SparseExtentHeader header;
  private final ExecutorService compressors;
  private final int maxInFlight;
  private final Deque<Future<CompressedGrain>> inFlight = new ArrayDeque<>();
  private final ThreadLocal<Deflater> deflaters;
  private final ThreadLocal<Deflater> storers =
      ThreadLocal.withInitial(() -> new Deflater(Deflater.NO_COMPRESSION, false));
  private final int[] grainDirectory;
  private final int[] grainTable = new int[GTES_PER_TABLE];
  private int currentTable = -1;
  private boolean currentTableUsed;
  private byte[] grain;
  private long grainIndex = -1;
  private boolean grainHasData;
  private long nextOffset;
  private long position;
  private boolean finished;

  StreamOptimizedWriter(
      Path target, long requestedSize, int threads, int level, String extentFileName, String adapterType)
      throws IOException {
    if (requestedSize <= 0 || requestedSize > SparseExtentHeader.MAX_CAPACITY_SECTORS * 512) {
      // VMware and qemu refuse an extent of 0 sectors.
      throw new FerryException(
          ErrorCode.INVALID_REQUEST, "VMDK: cannot write a disk of " + requestedSize + " bytes");
    }
    this.virtualSize = (requestedSize + 511) / 512 * 512;
    this.level = level;
    long capacity = virtualSize / 512;
    this.header =
        new SparseExtentHeader(
            3,
            SparseExtentHeader.FLAG_VALID_NEWLINE_TEST
                | SparseExtentHeader.FLAG_COMPRESSED
                | SparseExtentHeader.FLAG_MARKERS,
            capacity,
            GRAIN_SECTORS,
            1,
            DESCRIPTOR_SECTORS,
            GTES_PER_TABLE,
            0,
            SparseExtentHeader.GD_AT_END,
            OVERHEAD_SECTORS,
            SparseExtentHeader.COMPRESSION_DEFLATE);
    this.grainDirectory = new int[(int) header.grainTableCount()];
    this.maxInFlight = threads * 4;
    this.deflaters = ThreadLocal.withInitial(() -> new Deflater(level, false));
    this.compressors =
        Executors.newFixedThreadPool(
            threads,
            runnable -> {
              Thread thread = new Thread(runnable, "vmdk-grain-compressor");
              thread.setDaemon(true);
              return thread;
            });
    PartialFile created = null;
    try {
      created = PartialFile.create(target);
      this.file = created;
      this.channel = created.channel();
      writeHead(descriptor(capacity, extentFileName, adapterType));
    } catch (IOException | RuntimeException e) {
      compressors.shutdownNow();
      if (created != null) {
        created.close();
      }
      throw e;
    }
  }

  /** The embedded descriptor, as VMware writes it for a streamOptimized disk. */
  static String descriptor(long capacity, String extentFileName, String adapterType) {
    long cylinders = Math.min(65535, Math.max(1, capacity / (16 * 63)));
    String contentId = String.format("%08x", ThreadLocalRandom.current().nextInt());
    return "# Disk DescriptorFile\n"
        + "version=1\n"
        + "CID=" + contentId + "\n"
        + "parentCID=ffffffff\n"
        + "createType=\"streamOptimized\"\n"
        + "\n"
        + "# Extent description\n"
        + "RW " + capacity + " SPARSE \"" + extentFileName.replace("\"", "") + "\"\n"
        + "\n"
        + "# The Disk Data Base\n"
        + "#DDB\n"
        + "\n"
        + "ddb.virtualHWVersion = \"4\"\n"
        + "ddb.adapterType = \"" + adapterType + "\"\n"
        + "ddb.geometry.cylinders = \"" + cylinders + "\"\n"
        + "ddb.geometry.heads = \"16\"\n"
        + "ddb.geometry.sectors = \"63\"\n";
  }

  private void writeHead(String descriptor) throws IOException {
    ByteBuffer head = ByteBuffer.allocate(OVERHEAD_SECTORS * 512);
    head.put(header.encode());
    byte[] text = descriptor.getBytes(StandardCharsets.US_ASCII);
    if (text.length > DESCRIPTOR_SECTORS * 512) {
      throw new FerryException(ErrorCode.INVALID_REQUEST, "VMDK: descriptor too long");
    }
    head.put(512, text);
    head.position(0);
    append(head);
  }

  @Override
  public DiskFormat format() {
    return DiskFormat.VMDK_STREAM_OPTIMIZED;
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
    if (offset < nextOffset || offset + data.remaining() > virtualSize) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST,
          "VMDK: write of " + data.remaining() + " bytes at " + offset
              + " goes backwards or past the disk of " + virtualSize + " bytes");
    }
    long at = offset;
    while (data.hasRemaining()) {
      long index = at / GRAIN_BYTES;
      if (index != grainIndex) {
        submitGrain();
        grainIndex = index;
      }
      int inGrain = (int) (at % GRAIN_BYTES);
      int length = Math.min(data.remaining(), GRAIN_BYTES - inGrain);
      ByteBuffer part = data.slice(data.position(), length);
      if (!Zeros.isZero(part)) {
        if (grain == null) {
          grain = new byte[GRAIN_BYTES];
        }
        part.get(grain, inGrain, length);
        grainHasData = true;
      }
      data.position(data.position() + length);
      at += length;
    }
    nextOffset = at;
  }

  /** Hands the buffered grain to a compressor, waiting for the oldest when too many are busy. */
  private void submitGrain() throws IOException {
    if (grainIndex >= 0 && grainHasData) {
      byte[] data = grain;
      long lba = grainIndex * GRAIN_SECTORS;
      while (inFlight.size() >= maxInFlight) {
        drainOldest();
      }
      inFlight.add(compressors.submit(() -> compress(lba, data)));
      grain = null;
    }
    grainHasData = false;
    grainIndex = -1;
  }

  /** A grain marker (LBA, compressed size) and the zlib stream, padded to whole sectors. */
  private CompressedGrain compress(long lba, byte[] data) {
    // Grains that deflate cannot shrink (compressed files, random bytes) are stored: same size,
    // a fraction of the time.
    boolean store = level > 0 && Incompressible.looksIncompressible(data, data.length);
    Deflater deflater = (store ? storers : deflaters).get();
    deflater.reset();
    deflater.setInput(data);
    deflater.finish();
    byte[] out = new byte[12 + GRAIN_BYTES + GRAIN_BYTES / 8 + 1024];
    int size = 0;
    while (!deflater.finished()) {
      size += deflater.deflate(out, 12 + size, out.length - 12 - size);
      if (12 + size == out.length && !deflater.finished()) {
        out = Arrays.copyOf(out, out.length * 2);
      }
    }
    ByteBuffer marker = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    marker.putLong(0, lba);
    marker.putInt(8, size);
    int padded = (12 + size + 511) / 512 * 512;
    if (padded > out.length) {
      out = Arrays.copyOf(out, padded);
    } else {
      Arrays.fill(out, 12 + size, padded, (byte) 0);
    }
    return new CompressedGrain(lba, out, padded);
  }

  /** A grain marker and its compressed data, {@code length} bytes of {@code bytes}. */
  private record CompressedGrain(long lba, byte[] bytes, int length) {}

  private void drainOldest() throws IOException {
    Future<CompressedGrain> future = inFlight.removeFirst();
    CompressedGrain record;
    try {
      record = future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while compressing VMDK grains");
    } catch (ExecutionException e) {
      throw new FerryException(ErrorCode.INTERNAL, "VMDK: grain compression failed", e.getCause());
    }
    long index = record.lba() / GRAIN_SECTORS;
    int table = (int) (index / GTES_PER_TABLE);
    if (table != currentTable) {
      flushGrainTable();
      currentTable = table;
    }
    grainTable[(int) (index % GTES_PER_TABLE)] = sector(position);
    currentTableUsed = true;
    append(ByteBuffer.wrap(record.bytes(), 0, record.length()));
  }

  /** Writes the current grain table behind its marker, when it holds any grain. */
  private void flushGrainTable() throws IOException {
    if (currentTable >= 0 && currentTableUsed) {
      int tableSectors = GTES_PER_TABLE * 4 / 512;
      append(marker(tableSectors, VmdkSparseReader.MARKER_GRAIN_TABLE));
      grainDirectory[currentTable] = sector(position);
      ByteBuffer table = ByteBuffer.allocate(GTES_PER_TABLE * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (int entry : grainTable) {
        table.putInt(entry);
      }
      table.flip();
      append(table);
      Arrays.fill(grainTable, 0);
    }
    currentTableUsed = false;
    currentTable = -1;
  }

  /** A file offset as the unsigned 32-bit sector number tables hold (files up to 2 TiB). */
  private static int sector(long offset) {
    long sector = offset / 512;
    if (sector > 0xFFFF_FFFFL) {
      throw new FerryException(
          ErrorCode.UNSUPPORTED,
          "VMDK: the stream grew past 2 TiB of compressed data, beyond what its 32-bit grain"
              + " tables can address");
    }
    return (int) sector;
  }

  private static ByteBuffer marker(long sectors, int type) {
    ByteBuffer marker = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
    marker.putLong(0, sectors);
    marker.putInt(8, 0);
    marker.putInt(12, type);
    return marker;
  }

  private void append(ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      position += channel.write(buffer, position);
    }
  }

  @Override
  public void finish() throws IOException {
    if (finished) {
      return;
    }
    submitGrain();
    while (!inFlight.isEmpty()) {
      drainOldest();
    }
    flushGrainTable();
    int directorySectors = (grainDirectory.length * 4 + 511) / 512;
    append(marker(directorySectors, VmdkSparseReader.MARKER_GRAIN_DIRECTORY));
    long directorySector = position / 512;
    ByteBuffer directory =
        ByteBuffer.allocate(directorySectors * 512).order(ByteOrder.LITTLE_ENDIAN);
    for (int entry : grainDirectory) {
      directory.putInt(entry);
    }
    directory.position(0);
    append(directory);
    append(marker(1, VmdkSparseReader.MARKER_FOOTER));
    append(header.withGrainDirectoryOffset(directorySector).encode());
    append(ByteBuffer.allocate(512)); // end-of-stream marker
    compressors.shutdown();
    file.commit();
    finished = true;
  }

  @Override
  public void close() throws IOException {
    compressors.shutdownNow();
    for (Future<CompressedGrain> future : inFlight) {
      future.cancel(true);
    }
    inFlight.clear();
    file.close();
  }
}
