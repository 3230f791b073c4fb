package io.ferry.agent.offline;

import io.ferry.agent.offline.internal.HostCommands;
import io.ferry.agent.offline.internal.PartitionTables;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.ProgressListener;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.DiskImages;
import io.ferry.standardization.image.WriteOptions;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs work on the root file system of an image file: converts a non-raw image to a sparse raw
 * scratch file, finds the root partition, attaches it with {@code losetup}, mounts it, runs the
 * work, and always unmounts and detaches (also when the work fails); a changed non-raw image is
 * converted back in place. Needs root.
 */
public final class OfflineImage {

  /** The work to run on the mounted root. */
  public interface Work<T> {
    /**
     * Runs on the mounted root.
     *
     * @param root the mount point
     * @param partitionUuids file system UUIDs by partition number, for fstab rewriting
     */
    T apply(Path root, Map<Integer, String> partitionUuids) throws IOException;
  }

  private final Path image;
  private final Integer partitionNumber;
  private final Path scratchDirectory;

  /**
   * @param image the image file, any format DiskImages reads
   * @param partitionNumber the root partition's number, or null to choose the largest Linux one
   * @param scratchDirectory where the raw scratch copy and the mount point are created
   */
  public OfflineImage(Path image, Integer partitionNumber, Path scratchDirectory) {
    this.image = image;
    this.partitionNumber = partitionNumber;
    this.scratchDirectory = scratchDirectory;
  }

  /** The partitions of a raw disk file. */
  public static List<Partition> partitions(Path rawDisk) throws IOException {
    try (FileChannel channel = FileChannel.open(rawDisk, StandardOpenOption.READ)) {
      return PartitionTables.read(channel);
    }
  }

  /**
   * Mounts the root partition (read-only when {@code readOnly}), runs {@code work}, unmounts.
   *
   * @throws FerryException HOST_OPERATION_FAILED when not root or a host tool fails
   */
  public <T> T run(boolean readOnly, Work<T> work) throws IOException {
    if (!HostCommands.runningAsRoot()) {
      throw new FerryException(ErrorCode.HOST_OPERATION_FAILED,
          "offline mode on " + image + " needs root (losetup and mount are privileged); run as root,"
              + " or mount the image yourself and use --root DIR");
    }
    DiskFormat format = DiskImages.detect(image);
    if (!readOnly && format != DiskFormat.RAW && !format.writable()) {
      throw new FerryException(ErrorCode.UNSUPPORTED,
          image + " is " + format.id() + ", which Ferry cannot write back; convert it first");
    }
    Path raw = image;
    Path scratch = null;
    try {
      if (format != DiskFormat.RAW) {
        scratch = scratchDirectory.resolve("ferry-agent-" + java.util.UUID.randomUUID() + ".raw");
        toRaw(image, scratch);
        raw = scratch;
      }
      T result = mountAndRun(raw, readOnly, work);
      if (scratch != null && !readOnly) {
        fromRaw(scratch, image, format);
      }
      return result;
    } finally {
      if (scratch != null) {
        Files.deleteIfExists(scratch);
      }
    }
  }

  private <T> T mountAndRun(Path raw, boolean readOnly, Work<T> work) throws IOException {
    List<Partition> partitions = partitions(raw);
    Partition root = choose(partitions);
    Map<Integer, String> uuids = new HashMap<>();
    for (Partition partition : partitions) {
      if (partition.uuid() != null) {
        uuids.put(partition.number(), partition.uuid());
      }
    }
    String device = HostCommands.run(List.of("losetup", "--find", "--show",
        "--offset", Long.toString(root.offset()), "--sizelimit", Long.toString(root.length()),
        raw.toAbsolutePath().toString()));
    Path mountPoint = null;
    try {
      mountPoint = Files.createTempDirectory(scratchDirectory, "ferry-root-");
      // Clones of one XFS file system share a UUID; XFS refuses a second mount without nouuid.
      // Read-only means no write at all: ext4 would still replay its journal without noload.
      String options = (readOnly ? "ro" : "rw")
          + (root.fileSystem().equals("xfs") ? ",nouuid" : "")
          + (readOnly && root.fileSystem().equals("ext4") ? ",noload" : "")
          + (readOnly && root.fileSystem().equals("xfs") ? ",norecovery" : "");
      HostCommands.run(List.of("mount", "-o", options, device, mountPoint.toString()));
      try {
        return work.apply(mountPoint, uuids);
      } finally {
        try {
          HostCommands.run(List.of("umount", mountPoint.toString()));
        } catch (FerryException e) {
          HostCommands.run(List.of("umount", "--lazy", mountPoint.toString()));
        }
      }
    } finally {
      try {
        HostCommands.run(List.of("losetup", "--detach", device));
      } finally {
        if (mountPoint != null) {
          Files.deleteIfExists(mountPoint);
        }
      }
    }
  }

  private Partition choose(List<Partition> partitions) {
    if (partitionNumber != null) {
      return partitions.stream()
          .filter(p -> p.number() == partitionNumber)
          .findFirst()
          .orElseThrow(() -> new FerryException(ErrorCode.NOT_FOUND,
              "no partition " + partitionNumber + " in " + image + "; partitions: " + partitions));
    }
    Optional<Partition> root = partitions.stream()
        .filter(Partition::linuxFileSystem)
        .max(Comparator.comparingLong(Partition::length));
    return root.orElseThrow(() -> new FerryException(ErrorCode.NOT_FOUND,
        "no Linux root file system (ext4, xfs, btrfs) found in " + image + "; partitions: " + partitions));
  }

  private static void toRaw(Path image, Path raw) throws IOException {
    try (DiskImageReader reader = DiskImages.open(image);
        DiskImageWriter writer = DiskImages.create(raw, DiskFormat.RAW, reader.virtualSize(), WriteOptions.DEFAULTS)) {
      DiskImages.convert(reader, writer, ProgressListener.NONE);
    }
  }

  private static void fromRaw(Path raw, Path image, DiskFormat format) throws IOException {
    Path temporary = image.resolveSibling(image.getFileName() + ".ferry-writing");
    try (DiskImageReader reader = DiskImages.open(raw, DiskFormat.RAW);
        DiskImageWriter writer = DiskImages.create(temporary, format, reader.virtualSize(), WriteOptions.DEFAULTS)) {
      DiskImages.convert(reader, writer, ProgressListener.NONE);
    }
    Files.move(temporary, image, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
