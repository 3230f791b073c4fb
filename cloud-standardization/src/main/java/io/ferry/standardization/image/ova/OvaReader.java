package io.ferry.standardization.image.ova;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.Extent;
import io.ferry.standardization.image.vmdk.VmdkImages;
import io.ferry.standardization.image.internal.FileWindow;
import io.ferry.standardization.image.internal.ScratchFile;
import io.ferry.standardization.image.qcow2.Qcow2FormatHandler;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Reads the boot disk of an OVA: the tar's first entry must be the OVF descriptor; the disk it
 * names (a streamOptimized or monolithicSparse VMDK, a qcow2 image as oVirt exports, or a raw disk)
 * is read in place, through offsets within the tar file, never extracted. A disk file the OVF declares gzip-compressed ({@code
 * ovf:compression="gzip"}, as {@code ovftool --compress} writes) or split into chunks ({@code
 * ovf:chunkSize}: entries {@code <href>.000000000}, {@code <href>.000000001}, ...) cannot be read
 * at random offsets: it is joined and inflated once, streaming, into a sparse {@link ScratchFile}
 * next to the OVA, which is read instead and deleted on close.
 */
final class OvaReader implements DiskImageReader {

  static final int MAX_DESCRIPTOR_SIZE = 4 << 20;
  private static final int MAX_ENTRIES = 10_000;
  private static final int BLOCK = 64 * 1024;
  private static final int QCOW2_MAGIC = 0x514649fb; // "QFI\xfb"
  /** Deflate never inflates more than about 1032 times; a larger ratio is no gzip stream. */
  private static final long MAX_INFLATION = 1100;

  private final FileChannel channel;
  private final DiskImageReader disk;
  private final OvfDescriptor descriptor;
  private final ScratchFile extracted;

  private OvaReader(
      FileChannel channel, DiskImageReader disk, OvfDescriptor descriptor, ScratchFile extracted) {
    this.channel = channel;
    this.disk = disk;
    this.descriptor = descriptor;
    this.extracted = extracted;
  }

  /** Where a tar entry's data lies in the file. */
  record EntryLocation(String name, long offset, long size) {}

  static OvaReader open(Path path) throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      return open(path, channel);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  private static OvaReader open(Path path, FileChannel channel) throws IOException {
    OvfDescriptor descriptor;
    OvfDescriptor.OvfDisk boot;
    EntryLocation whole = null;
    TreeMap<Long, EntryLocation> chunks = new TreeMap<>();
    CountingInputStream counting = new CountingInputStream(Channels.newInputStream(channel.position(0)));
    try (TarArchiveInputStream tar = new TarArchiveInputStream(counting)) {
      TarArchiveEntry first = nextEntry(tar, counting);
      if (first == null || !first.getName().toLowerCase(Locale.ROOT).endsWith(".ovf")) {
        throw OvfDescriptor.corrupt(
            "the first tar entry " + (first == null ? "(none)" : "'" + first.getName() + "'")
                + " is not an OVF descriptor (.ovf)");
      }
      if (first.getSize() > MAX_DESCRIPTOR_SIZE) {
        throw OvfDescriptor.corrupt("OVF descriptor '" + first.getName() + "' of " + first.getSize() + " bytes is too large");
      }
      byte[] xml = tar.readNBytes((int) first.getSize());
      if (xml.length != first.getSize()) {
        throw OvfDescriptor.corrupt("OVF descriptor '" + first.getName() + "' is truncated");
      }
      descriptor = OvfDescriptor.parse(xml, "OVF descriptor '" + first.getName() + "'");
      boot = descriptor.disks().get(0);
      if (boot.compressed() && !"gzip".equals(boot.compression())) {
        throw new FerryException(
            ErrorCode.IMAGE_FEATURE_UNSUPPORTED,
            "OVA: disk file " + boot.href() + " is compressed with '" + boot.compression()
                + "'; OVF disks compressed with gzip are read, no other compression");
      }
      for (int count = 0; count < MAX_ENTRIES; count++) {
        TarArchiveEntry entry = nextEntry(tar, counting);
        if (entry == null) {
          break;
        }
        long chunk = boot.chunked() ? chunkIndex(entry.getName(), boot.href()) : -1;
        if (chunk < 0 && (boot.chunked() || !sameName(entry.getName(), boot.href()))) {
          continue;
        }
        if (entry.isSparse() || !entry.isFile()) {
          throw new FerryException(
              ErrorCode.IMAGE_FEATURE_UNSUPPORTED,
              "OVA: disk entry '" + entry.getName() + "' is not a plain file in the tar");
        }
        EntryLocation location = new EntryLocation(entry.getName(), counting.count(), entry.getSize());
        if (location.offset() + location.size() > channel.size()) {
          throw OvfDescriptor.corrupt(
              "disk entry '" + location.name() + "' at offset " + location.offset() + " of "
                  + location.size() + " bytes lies past the end of the file (" + channel.size() + ")");
        }
        if (chunk < 0) {
          whole = location;
          break;
        }
        if (chunks.put(chunk, location) != null) {
          throw OvfDescriptor.corrupt("the tar holds chunk " + chunk + " of " + boot.href() + " twice");
        }
      }
    }
    List<EntryLocation> pieces = boot.chunked() ? chunksInOrder(boot, chunks) : whole == null ? List.of() : List.of(whole);
    if (pieces.isEmpty()) {
      throw OvfDescriptor.corrupt("the tar holds no entry '" + boot.href() + "', the boot disk the OVF names");
    }
    if (!boot.compressed() && !boot.chunked()) {
      DiskImageReader disk =
          openDisk(channel, whole.offset(), whole.size(), boot, "disk entry '" + whole.name() + "' at offset " + whole.offset());
      return new OvaReader(channel, disk, descriptor, null);
    }
    ScratchFile scratch = ScratchFile.nextTo(path);
    try {
      long size = extract(channel, boot, pieces, scratch);
      DiskImageReader disk =
          openDisk(scratch.channel(), 0, size, boot, "disk file " + boot.href() + (boot.compressed() ? " (inflated)" : " (joined)"));
      return new OvaReader(channel, disk, descriptor, scratch);
    } catch (IOException | RuntimeException e) {
      scratch.close();
      throw e;
    }
  }

  /**
   * The disk file at {@code [offset, offset + size)} of {@code channel}, by its magic: a VMDK
   * sparse extent (streamOptimized or monolithicSparse, what VMware and VirtualBox write), a qcow2
   * image (oVirt's OVAs) or, when it is exactly as large as the disk the OVF declares, a raw disk.
   */
  private static DiskImageReader openDisk(
      FileChannel channel, long offset, long size, OvfDescriptor.OvfDisk boot, String what) throws IOException {
    ByteBuffer magic = ByteBuffer.allocate(4);
    channel.read(magic, offset);
    magic.flip();
    if (VmdkImages.isSparseExtent(magic)) {
      return VmdkImages.openSparseExtent(channel, offset, size);
    }
    if (magic.remaining() == 4 && magic.getInt(0) == QCOW2_MAGIC) {
      return Qcow2FormatHandler.openWindow(channel, offset, size);
    }
    if (size > 0 && size == boot.capacity()) {
      return new RawEntryReader(new FileWindow("OVA", channel, offset, size));
    }
    throw new FerryException(
        ErrorCode.IMAGE_FEATURE_UNSUPPORTED,
        "OVA: " + what + " is neither a VMDK sparse extent (streamOptimized or monolithicSparse), a qcow2"
            + " image nor a raw disk of the " + boot.capacity() + " bytes the OVF declares (it has " + size + " bytes)");
  }

  /** The index of chunk file {@code entryName} of {@code href} ({@code href.NNNNNNNNN}), or -1. */
  private static long chunkIndex(String entryName, String href) {
    String name = entryName.startsWith("./") ? entryName.substring(2) : entryName;
    String base = href.startsWith("./") ? href.substring(2) : href;
    if (name.length() <= base.length() + 1 || name.length() > base.length() + 1 + 12
        || !name.startsWith(base) || name.charAt(base.length()) != '.') {
      return -1;
    }
    String digits = name.substring(base.length() + 1);
    return digits.chars().allMatch(Character::isDigit) ? Long.parseLong(digits) : -1;
  }

  /** Chunks 0, 1, ... n-1, each but the last exactly the declared chunk size. */
  private static List<EntryLocation> chunksInOrder(OvfDescriptor.OvfDisk boot, TreeMap<Long, EntryLocation> chunks) {
    if (chunks.isEmpty()) {
      return List.of();
    }
    List<EntryLocation> pieces = new ArrayList<>(chunks.values());
    long total = 0;
    for (int index = 0; index < pieces.size(); index++) {
      EntryLocation piece = pieces.get(index);
      if (!chunks.containsKey((long) index)) {
        throw OvfDescriptor.corrupt(
            "the tar lacks chunk " + index + " of " + boot.href() + " (it holds chunks " + chunks.keySet() + ")");
      }
      boolean last = index == pieces.size() - 1;
      if (last ? piece.size() == 0 || piece.size() > boot.chunkSize() : piece.size() != boot.chunkSize()) {
        throw OvfDescriptor.corrupt(
            "chunk '" + piece.name() + "' at offset " + piece.offset() + " holds " + piece.size()
                + " bytes; the OVF's chunk size is " + boot.chunkSize());
      }
      total += piece.size();
    }
    if (boot.fileSize() >= 0 && total != boot.fileSize()) {
      throw OvfDescriptor.corrupt(
          "the chunks of " + boot.href() + " add up to " + total + " bytes; the OVF declares "
              + boot.fileSize());
    }
    return pieces;
  }

  /**
   * Streams the pieces, inflated when the OVF says gzip, into {@code scratch}; returns the disk
   * file's size. All-zero blocks stay holes.
   */
  private static long extract(
      FileChannel channel, OvfDescriptor.OvfDisk boot, List<EntryLocation> pieces, ScratchFile scratch)
      throws IOException {
    long stored = pieces.stream().mapToLong(EntryLocation::size).sum();
    InputStream in = new BufferedInputStream(new PiecesInputStream(channel, pieces), BLOCK);
    String what = "disk file " + boot.href();
    long limit = stored;
    if (boot.compressed()) {
      try {
        in = GzipCompressorInputStream.builder().setInputStream(in).setDecompressConcatenated(true).get();
      } catch (IOException e) {
        throw OvfDescriptor.corrupt(what + " is declared gzip-compressed but has no gzip header: " + e.getMessage());
      }
      limit = stored > Long.MAX_VALUE / MAX_INFLATION ? Long.MAX_VALUE : stored * MAX_INFLATION;
      if (boot.capacity() > 0) {
        // a sparse VMDK is never much larger than its disk: data, tables and a little metadata
        limit = Math.min(limit, boot.capacity() + boot.capacity() / 8 + (64L << 20));
      }
    }
    try (InputStream data = in) {
      return copy(data, what, limit, boot.capacity(), scratch);
    }
  }

  private static long copy(InputStream in, String what, long limit, long capacity, ScratchFile scratch)
      throws IOException {
    byte[] block = new byte[BLOCK];
    long position = 0;
    while (true) {
      int read;
      try {
        read = in.readNBytes(block, 0, BLOCK);
      } catch (IOException | RuntimeException e) {
        if (e instanceof FerryException ferry) {
          throw ferry;
        }
        throw OvfDescriptor.corrupt(what + " cannot be inflated at byte " + position + ": " + e.getMessage());
      }
      if (read == 0) {
        break;
      }
      if (position + read > limit) {
        throw OvfDescriptor.corrupt(
            what + " inflates beyond " + limit + " bytes, more than its disk of " + capacity
                + " bytes can need");
      }
      scratch.writeBlock(position, block, read);
      position += read;
    }
    scratch.extendTo(position);
    return position;
  }

  private static TarArchiveEntry nextEntry(TarArchiveInputStream tar, CountingInputStream counting)
      throws IOException {
    long before = counting.count();
    try {
      return tar.getNextEntry();
    } catch (IOException | IllegalArgumentException | IllegalStateException e) {
      throw OvfDescriptor.corrupt("tar header near offset " + before + " is malformed: " + e.getMessage());
    }
  }

  private static boolean sameName(String entryName, String href) {
    if (href == null) {
      return false;
    }
    String left = entryName.startsWith("./") ? entryName.substring(2) : entryName;
    String right = href.startsWith("./") ? href.substring(2) : href;
    return left.equals(right);
  }

  /** The disks the OVF describes, the boot disk first. */
  OvfDescriptor descriptor() {
    return descriptor;
  }

  @Override
  public List<String> otherDisks() {
    return descriptor.otherDisks();
  }

  @Override
  public DiskFormat format() {
    return DiskFormat.OVA;
  }

  @Override
  public long virtualSize() {
    return disk.virtualSize();
  }

  @Override
  public Iterator<Extent> extents() throws IOException {
    return disk.extents();
  }

  @Override
  public void read(long offset, ByteBuffer destination) throws IOException {
    disk.read(offset, destination);
  }

  @Override
  public void close() throws IOException {
    try (channel;
        ScratchFile scratch = extracted) {
      disk.close();
    }
  }

  /** The bytes of the pieces, one after the other, read at their offsets in the tar. */
  private static final class PiecesInputStream extends InputStream {
    private final FileChannel channel;
    private final List<EntryLocation> pieces;
    private int index;
    private long offsetInPiece;

    PiecesInputStream(FileChannel channel, List<EntryLocation> pieces) {
      this.channel = channel;
      this.pieces = pieces;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (length == 0) {
        return 0;
      }
      while (index < pieces.size()) {
        EntryLocation piece = pieces.get(index);
        long left = piece.size() - offsetInPiece;
        if (left == 0) {
          index++;
          offsetInPiece = 0;
          continue;
        }
        int read =
            channel.read(
                ByteBuffer.wrap(buffer, offset, (int) Math.min(length, left)), piece.offset() + offsetInPiece);
        if (read < 0) {
          throw OvfDescriptor.corrupt(
              "disk entry '" + piece.name() + "' is truncated at offset " + (piece.offset() + offsetInPiece));
        }
        offsetInPiece += read;
        return read;
      }
      return -1;
    }
  }

  /** Counts the bytes consumed (read or skipped) from the underlying stream. */
  private static final class CountingInputStream extends FilterInputStream {
    private long count;

    CountingInputStream(InputStream in) {
      super(in);
    }

    long count() {
      return count;
    }

    @Override
    public int read() throws IOException {
      int value = super.read();
      if (value >= 0) {
        count++;
      }
      return value;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int read = super.read(buffer, offset, length);
      if (read > 0) {
        count += read;
      }
      return read;
    }

    @Override
    public long skip(long length) throws IOException {
      long skipped = super.skip(length);
      count += Math.max(0, skipped);
      return skipped;
    }

    @Override
    public boolean markSupported() {
      return false;
    }

    /** Leaves the channel open: the disk is read through it afterwards. */
    @Override
    public void close() {}
  }
}
