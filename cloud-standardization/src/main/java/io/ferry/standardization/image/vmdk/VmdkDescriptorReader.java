package io.ferry.standardization.image.vmdk;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImages;
import io.ferry.standardization.image.Extent;
import io.ferry.standardization.image.ExtentType;
import io.ferry.standardization.image.internal.FileWindow;
import io.ferry.standardization.image.internal.MergingExtentIterator;
import io.ferry.standardization.image.internal.ReadRanges;
import io.ferry.standardization.image.internal.Zeros;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * Reads a VMDK made of a text descriptor and the extents it lists: FLAT (and VMFS) extents, raw
 * data files, as in monolithicFlat and twoGbMaxExtentFlat; SPARSE extents, hosted sparse files of
 * their own ({@code KDMV}), as in twoGbMaxExtentSparse (VMware Workstation's "split into 2 GB
 * files") or a monolithicSparse whose descriptor is a separate file; and ZERO extents. Extent
 * files are resolved relative to the descriptor's folder and must stay inside it: absolute names
 * and names that climb out with {@code ..} (or through a symbolic link) are refused.
 */
final class VmdkDescriptorReader implements DiskImageReader {

  private final List<Part> parts;
  private final long virtualSize;
  /** The descriptor's createType (monolithicFlat, twoGbMaxExtentSparse, vmfs...), or null. */
  private final String createType;

  /**
   * One extent: its place on the disk and what holds it, {@code source} from {@code sourceOffset}
   * on: for FLAT extents the extent file read as a raw disk (its holes are holes), for SPARSE
   * extents a reader of the hosted sparse extent file, for ZERO extents nothing (null).
   */
  private record Part(long start, long length, DiskImageReader source, long sourceOffset, String name, Path file) {}

  private VmdkDescriptorReader(List<Part> parts, long virtualSize, String createType) {
    this.parts = parts;
    this.virtualSize = virtualSize;
    this.createType = createType;
  }

  static VmdkDescriptorReader open(Path descriptorPath) throws IOException {
    long size = Files.size(descriptorPath);
    if (size > VmdkDescriptor.MAX_SIZE) {
      throw VmdkImages.corrupt(
          "descriptor file " + descriptorPath.getFileName() + " of " + size + " bytes is too large");
    }
    String text = Files.readString(descriptorPath, StandardCharsets.ISO_8859_1);
    int nul = text.indexOf('\0');
    if (nul >= 0) {
      text = text.substring(0, nul); // descriptors may be padded with NUL bytes
    }
    if (!text.startsWith(VmdkDescriptor.SIGNATURE)) {
      throw new FerryException(
          ErrorCode.IMAGE_FORMAT_UNKNOWN, "VMDK: " + descriptorPath.getFileName() + " is not a descriptor file");
    }
    String where = "descriptor " + descriptorPath.getFileName();
    VmdkDescriptor descriptor = VmdkDescriptor.parse(text, where);
    String parent = descriptor.get("parentCID");
    if (parent != null && !parent.equalsIgnoreCase("ffffffff")
        || descriptor.get("parentFileNameHint") != null) {
      throw VmdkImages.unsupported(
          where + " names a parent disk: delta disks of a snapshot chain are not supported;"
              + " consolidate the snapshots first");
    }
    if (descriptor.extents().isEmpty()) {
      throw VmdkImages.corrupt(where + " has no extents");
    }
    Path folder = descriptorPath.toAbsolutePath().getParent().toRealPath();
    List<Part> parts = new ArrayList<>();
    long position = 0;
    try {
      for (VmdkDescriptor.ExtentLine line : descriptor.extents()) {
        long length = line.sectors() * 512;
        switch (line.type()) {
          case "ZERO" -> parts.add(new Part(position, length, null, 0, "ZERO", null));
          case "FLAT", "VMFS" -> {
            Path file = resolve(folder, line.fileName(), where);
            DiskImageReader flat = DiskImages.open(file, DiskFormat.RAW);
            parts.add(new Part(position, length, flat, line.offset() * 512, line.fileName(), file));
            long needed = line.offset() * 512 + length;
            if (flat.virtualSize() < needed) {
              throw VmdkImages.corrupt(
                  "extent file " + line.fileName() + " holds " + flat.virtualSize() + " bytes, " + where
                      + " needs " + needed);
            }
          }
          case "SPARSE" -> parts.add(sparsePart(folder, line, position, length, where));
          default ->
              throw VmdkImages.unsupported(
                  where + " has a " + line.type() + " extent; only FLAT, VMFS, SPARSE and ZERO extents"
                      + " are read through a descriptor file (ESXi's VMFSSPARSE and SESPARSE are"
                      + " snapshot deltas: consolidate the snapshots first)");
        }
        position += length;
        if (position > SparseExtentHeader.MAX_CAPACITY_SECTORS * 512) {
          throw VmdkImages.corrupt(where + " declares an absurd disk size");
        }
      }
    } catch (IOException | RuntimeException e) {
      closeAll(parts);
      throw e;
    }
    return new VmdkDescriptorReader(List.copyOf(parts), position, descriptor.get("createType"));
  }

  /**
   * Opens the hosted sparse extent file of {@code line}: a sparse extent of its own whose capacity
   * must cover the extent's sectors (the offset of a SPARSE extent line is always 0).
   */
  private static Part sparsePart(Path folder, VmdkDescriptor.ExtentLine line, long position, long length,
      String where) throws IOException {
    if (line.offset() != 0) {
      throw VmdkImages.corrupt(where + " gives the SPARSE extent " + line.fileName() + " an offset of "
          + line.offset() + " sectors (a sparse extent starts at 0)");
    }
    Path file = resolve(folder, line.fileName(), where);
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
    VmdkSparseReader sparse;
    try {
      ByteBuffer head = ByteBuffer.allocate(SparseExtentHeader.SIZE);
      channel.read(head, 0);
      head.flip();
      if (!VmdkImages.isSparseExtent(head)) {
        throw VmdkImages.corrupt("extent file " + line.fileName() + " named by " + where
            + " as a SPARSE extent has no sparse extent header (magic KDMV at offset 0)");
      }
      sparse = VmdkSparseReader.open(new FileWindow("VMDK", channel, 0, channel.size()), channel);
    } catch (FerryException e) {
      channel.close();
      throw new FerryException(e.code(), "VMDK extent file " + line.fileName() + ": " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (sparse.virtualSize() < length) {
      sparse.close();
      throw VmdkImages.corrupt("extent file " + line.fileName() + " holds a sparse extent of "
          + sparse.virtualSize() + " bytes, " + where + " needs " + length);
    }
    return new Part(position, length, sparse, 0, line.fileName(), file);
  }

  private static Path resolve(Path folder, String name, String where) throws IOException {
    if (name == null || name.isEmpty()) {
      throw VmdkImages.corrupt(where + " has an extent without a file name");
    }
    Path relative = Path.of(name);
    if (relative.isAbsolute() || name.startsWith("/") || name.startsWith("\\")) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST, "VMDK: " + where + " names an absolute extent path " + name);
    }
    Path resolved = folder.resolve(relative).normalize();
    if (!resolved.startsWith(folder)) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST,
          "VMDK: " + where + " names extent " + name + " outside the descriptor's folder");
    }
    if (!Files.isRegularFile(resolved)) {
      throw new FerryException(
          ErrorCode.NOT_FOUND, "VMDK: extent file " + name + " named by " + where + " does not exist");
    }
    Path real = resolved.toRealPath();
    if (!real.startsWith(folder)) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST,
          "VMDK: extent " + name + " of " + where + " links outside the descriptor's folder");
    }
    return real;
  }

  private static void closeAll(List<Part> parts) throws IOException {
    IOException failure = null;
    for (Part part : parts) {
      try {
        if (part.source() != null) {
          part.source().close();
        }
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** The extent files, in the descriptor's order, each once. */
  @Override
  public List<Path> companionFiles() {
    return parts.stream().map(Part::file).filter(java.util.Objects::nonNull).distinct().toList();
  }

  @Override
  public DiskFormat format() {
    return DiskFormat.VMDK_MONOLITHIC_FLAT;
  }

  /** The descriptor's createType and how many extents it lists. */
  @Override
  public List<String> notes() {
    String extents = parts.size() + (parts.size() == 1 ? " extent" : " extents");
    return List.of(createType == null || createType.isBlank()
        ? "VMDK descriptor without a createType, " + extents
        : "VMDK descriptor of createType " + (createType.length() > 64 ? createType.substring(0, 64) + "..." : createType)
            + ", " + extents);
  }

  @Override
  public long virtualSize() {
    return virtualSize;
  }

  /**
   * The extents of every part in turn, merged: a ZERO extent's one ZERO run, and the part of its
   * source's own map that it covers, moved to its place on the disk.
   */
  @Override
  public Iterator<Extent> extents() {
    return new MergingExtentIterator() {
      private int index;
      private Iterator<Extent> inner = Collections.emptyIterator();
      private Part current;

      @Override
      protected boolean hasMoreRuns() {
        while (!inner.hasNext() && index < parts.size()) {
          current = parts.get(index++);
          if (current.source() == null) {
            inner = List.of(new Extent(current.sourceOffset(), current.length(), ExtentType.ZERO)).iterator();
          } else {
            try {
              inner = current.source().extents();
            } catch (IOException e) {
              throw new FerryException(ErrorCode.IO_ERROR, "VMDK: extent file " + current.name() + ": " + e.getMessage(), e);
            }
          }
        }
        return inner.hasNext();
      }

      @Override
      protected Extent nextRun() {
        // the source's runs are clipped to [sourceOffset, sourceOffset + length): a flat file may
        // hold more than its extent, a sparse extent may be larger than its part
        long from = current.sourceOffset();
        long to = from + current.length();
        Extent run = inner.next();
        while (run.end() <= from) {
          run = inner.next(); // the source's map covers it, so a run reaching past from follows
        }
        long start = Math.max(run.offset(), from);
        long end = Math.min(run.end(), to);
        if (end >= to) {
          inner = Collections.emptyIterator();
        }
        return new Extent(current.start() + start - from, end - start, run.type());
      }
    };
  }

  @Override
  public void read(long offset, ByteBuffer destination) throws IOException {
    ReadRanges.check("VMDK", offset, destination.remaining(), virtualSize);
    long position = offset;
    for (Part part : parts) {
      if (!destination.hasRemaining()) {
        break;
      }
      if (position >= part.start() + part.length()) {
        continue;
      }
      int length = (int) Math.min(destination.remaining(), part.start() + part.length() - position);
      ByteBuffer slice = destination.slice(destination.position(), length);
      if (part.source() == null) {
        Zeros.fill(slice, slice.remaining());
      } else {
        part.source().read(part.sourceOffset() + position - part.start(), slice);
      }
      destination.position(destination.position() + length);
      position += length;
    }
  }

  @Override
  public void close() throws IOException {
    closeAll(parts);
  }
}
