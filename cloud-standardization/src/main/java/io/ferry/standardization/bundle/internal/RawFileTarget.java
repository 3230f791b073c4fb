package io.ferry.standardization.bundle.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.bundle.BundleManifests;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.internal.FileWrites;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * A restore target that is a sparse raw file or a block device, and that can resume.
 *
 * <p>A file is written as {@code NAME.ferry-partial} and renamed to {@code NAME} only by {@link
 * #finish()}; until then {@code NAME.ferry-partial.progress} records how far the data is durable,
 * so an interrupted restore continues there. Unwritten ranges stay holes. A block device is
 * written in place (it cannot be renamed); its progress file lives in {@code stateFolder}.
 */
public final class RawFileTarget implements DiskImageWriter {

  /** What the progress file records. */
  public record Progress(String bundleId, String diskSha256, long restoredUpTo) {}

  private final Path target;
  private final Path partial;
  private final Path progressFile;
  private final long virtualSize;
  private final boolean blockDevice;
  private final FileChannel channel;
  private boolean finished;

  private RawFileTarget(Path target, Path partial, Path progressFile, long virtualSize, boolean blockDevice)
      throws IOException {
    this.target = target;
    this.partial = partial;
    this.progressFile = progressFile;
    this.virtualSize = virtualSize;
    this.blockDevice = blockDevice;
    this.channel =
        blockDevice
            ? FileChannel.open(partial, StandardOpenOption.WRITE, StandardOpenOption.READ)
            : FileChannel.open(
                partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
  }

  /** Opens a sparse raw file target; an existing partial file is kept for resuming. */
  public static RawFileTarget file(Path target, long virtualSize) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path partial = absolute.resolveSibling(absolute.getFileName() + ".ferry-partial");
    return new RawFileTarget(
        absolute, partial, partial.resolveSibling(partial.getFileName() + ".progress"), virtualSize, false);
  }

  /** Opens a block device (or any existing file written in place) of at least {@code virtualSize}. */
  public static RawFileTarget device(Path device, long virtualSize, Path stateFolder) throws IOException {
    Files.createDirectories(stateFolder);
    String name = device.toAbsolutePath().toString().replace('/', '_');
    RawFileTarget opened =
        new RawFileTarget(device, device, stateFolder.resolve(name + ".progress"), virtualSize, true);
    long size = opened.deviceSize();
    if (size < virtualSize) {
      opened.channel.close();
      throw new FerryException(
          ErrorCode.NO_SPACE, device + " holds " + size + " bytes, the disk needs " + virtualSize);
    }
    return opened;
  }

  private long deviceSize() throws IOException {
    long size = channel.size();
    if (size == 0) {
      // block devices report size 0 through fstat; Linux publishes their size in 512-byte sectors
      Path sectors = Path.of("/sys/class/block", target.toRealPath().getFileName().toString(), "size");
      if (Files.isReadable(sectors)) {
        size = Long.parseLong(Files.readString(sectors).strip()) * 512;
      }
    }
    return size;
  }

  /** Whether this target is a block device written in place. */
  public boolean blockDevice() {
    return blockDevice;
  }

  /** The recorded progress of an earlier, interrupted restore into this target. */
  public Optional<Progress> progress() throws IOException {
    if (!Files.exists(progressFile)) {
      return Optional.empty();
    }
    try {
      return Optional.of(BundleManifests.mapper().readValue(Files.readAllBytes(progressFile), Progress.class));
    } catch (IOException damaged) {
      return Optional.empty();
    }
  }

  /** Makes the data written so far durable, then records {@code progress}. */
  public void checkpoint(Progress progress) throws IOException {
    channel.force(false);
    Path temporary = progressFile.resolveSibling(progressFile.getFileName() + ".tmp");
    Files.write(temporary, BundleManifests.mapper().writeValueAsBytes(progress));
    Files.move(temporary, progressFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * Feeds the bytes already restored in {@code [0, end)} into {@code digest}, chunk by chunk
   * ({@code end} is a chunk boundary or the end of the disk), re-reading them from the file.
   */
  public void digestPrefix(DiskDigest digest, long end, int chunkSize) throws IOException {
    byte[] chunk = new byte[(int) Math.min(chunkSize, Math.max(end, 1))];
    long position = 0;
    while (position < end) {
      int length = (int) Math.min(chunkSize, end - position);
      ByteBuffer buffer = ByteBuffer.wrap(chunk, 0, length);
      while (buffer.hasRemaining()) {
        int read = channel.read(buffer, position + buffer.position());
        if (read < 0) {
          java.util.Arrays.fill(chunk, buffer.position(), length, (byte) 0); // past the end: zeros
          break;
        }
      }
      digest.chunk(chunk, length, null);
      position += length;
    }
  }

  @Override
  public DiskFormat format() {
    return DiskFormat.RAW;
  }

  @Override
  public long virtualSize() {
    return virtualSize;
  }

  @Override
  public void write(long offset, ByteBuffer data) throws IOException {
    FileWrites.writeFully(channel, data, offset);
  }

  @Override
  public void finish() throws IOException {
    if (!blockDevice) {
      channel.truncate(virtualSize);
      if (channel.size() < virtualSize) {
        try (RandomAccessFile file = new RandomAccessFile(partial.toFile(), "rw")) {
          file.setLength(virtualSize);
        }
      }
    }
    channel.force(true);
    channel.close();
    if (!blockDevice) {
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
    Files.deleteIfExists(progressFile);
    finished = true;
  }

  /** Throws the partial output and its progress away (after an integrity failure). */
  public void discard() throws IOException {
    channel.close();
    if (!blockDevice) {
      Files.deleteIfExists(partial);
    }
    Files.deleteIfExists(progressFile);
  }

  @Override
  public void close() throws IOException {
    if (!finished) {
      channel.close();
    }
  }
}
