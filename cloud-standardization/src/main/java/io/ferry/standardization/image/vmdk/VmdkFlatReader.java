package io.ferry.standardization.image.vmdk;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.Extent;
import io.ferry.standardization.image.ExtentType;
import io.ferry.standardization.image.internal.Zeros;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Reads a VMDK made of a text descriptor and FLAT (and ZERO) extents, such as monolithicFlat and
 * twoGbMaxExtentFlat. Extent files are resolved relative to the descriptor's folder and must stay
 * inside it: absolute names and names that climb out with {@code ..} (or through a symbolic link)
 * are refused.
 */
final class VmdkFlatReader implements DiskImageReader {

  private final List<Part> parts;
  private final long virtualSize;

  /** One extent: its place on the disk and, for FLAT extents, its file and offset in it. */
  private record Part(long start, long length, FileChannel channel, long fileOffset, String name) {}

  private VmdkFlatReader(List<Part> parts, long virtualSize) {
    this.parts = parts;
    this.virtualSize = virtualSize;
  }

  static VmdkFlatReader open(Path descriptorPath) throws IOException {
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
          case "ZERO" -> parts.add(new Part(position, length, null, 0, "ZERO"));
          case "FLAT", "VMFS" -> {
            Path file = resolve(folder, line.fileName(), where);
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            parts.add(new Part(position, length, channel, line.offset() * 512, line.fileName()));
            long needed = line.offset() * 512 + length;
            if (channel.size() < needed) {
              throw VmdkImages.corrupt(
                  "extent file " + line.fileName() + " holds " + channel.size() + " bytes, " + where
                      + " needs " + needed);
            }
          }
          default ->
              throw VmdkImages.unsupported(
                  where + " has a " + line.type() + " extent; only FLAT and ZERO extents are read"
                      + " through a descriptor file");
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
    return new VmdkFlatReader(List.copyOf(parts), position);
  }

  private static Path resolve(Path folder, String name, String where) throws IOException {
    if (name == null || name.isEmpty()) {
      throw VmdkImages.corrupt(where + " has a FLAT extent without a file name");
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
    for (Part part : parts) {
      if (part.channel() != null) {
        part.channel().close();
      }
    }
  }

  @Override
  public DiskFormat format() {
    return DiskFormat.VMDK_MONOLITHIC_FLAT;
  }

  @Override
  public long virtualSize() {
    return virtualSize;
  }

  @Override
  public Iterator<Extent> extents() {
    List<Extent> extents = new ArrayList<>();
    for (Part part : parts) {
      ExtentType type = part.channel() == null ? ExtentType.ZERO : ExtentType.DATA;
      Extent last = extents.isEmpty() ? null : extents.get(extents.size() - 1);
      if (last != null && last.type() == type) {
        extents.set(extents.size() - 1, new Extent(last.offset(), last.length() + part.length(), type));
      } else {
        extents.add(new Extent(part.start(), part.length(), type));
      }
    }
    return extents.iterator();
  }

  @Override
  public void read(long offset, ByteBuffer destination) throws IOException {
    if (offset < 0 || offset > virtualSize || destination.remaining() > virtualSize - offset) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST,
          "VMDK: read of " + destination.remaining() + " bytes at " + offset
              + " outside the disk of " + virtualSize + " bytes");
    }
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
      if (part.channel() == null) {
        Zeros.fill(slice, slice.remaining());
      } else {
        long at = part.fileOffset() + position - part.start();
        while (slice.hasRemaining()) {
          int read = part.channel().read(slice, at);
          if (read < 0) {
            throw VmdkImages.corrupt("extent file " + part.name() + " is truncated at offset " + at);
          }
          at += read;
        }
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
