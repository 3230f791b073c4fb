package io.ferry.agent.offline;

import io.ferry.agent.layer.internal.RootFileSystem;
import io.ferry.agent.offline.internal.BootPartitions;
import io.ferry.agent.offline.internal.HostCommands;
import io.ferry.agent.offline.internal.Mounts;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs work on the root file system of an image file: converts a non-raw image to a sparse raw
 * scratch file, finds the root partition, attaches it with {@code losetup}, mounts it and the
 * separate /boot and EFI system partitions its fstab names, runs the work, and always unmounts and
 * detaches in reverse order (also when the work fails); a changed non-raw image is converted back
 * in place. Needs root.
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

  /** The work to run on the mounted root, told what was mounted. */
  public interface MountedWork<T> {
    /** Runs on the mounted root. */
    T apply(Mounted mounted) throws IOException;
  }

  /**
   * The mounted root.
   *
   * @param root the mount point, with /boot and /boot/efi mounted below it where fstab names them
   * @param partitionUuids file system UUIDs by partition number, for fstab rewriting
   * @param notes which partitions were mounted where and what was left out, for the report
   */
  public record Mounted(Path root, Map<Integer, String> partitionUuids, List<String> notes) {}

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
    return runMounted(readOnly, mounted -> work.apply(mounted.root(), mounted.partitionUuids()));
  }

  /**
   * Mounts the root partition and, under it, the partitions of the same disk its fstab names for
   * /boot and /boot/efi (all read-only when {@code readOnly}), runs {@code work}, and unmounts in
   * reverse order, also when the work fails.
   *
   * @throws FerryException HOST_OPERATION_FAILED when not root or a host tool fails
   */
  public <T> T runMounted(boolean readOnly, MountedWork<T> work) throws IOException {
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

  private <T> T mountAndRun(Path raw, boolean readOnly, MountedWork<T> work) throws IOException {
    List<Partition> partitions = partitions(raw);
    Map<Integer, String> uuids = new HashMap<>();
    for (Partition partition : partitions) {
      if (partition.uuid() != null) {
        uuids.put(partition.number(), partition.uuid());
      }
    }
    List<String> notes = new ArrayList<>();
    Partition root = choose(raw, partitions, notes);
    try (Mounts mounts = new Mounts()) {
      Path mountPoint = mounts.temporaryDirectory(scratchDirectory, "ferry-root-");
      String device = mounts.attach(raw, root.offset(), root.length());
      mounts.mount(List.of("-o", options(root, readOnly)), device, mountPoint, mountPoint);
      mountBootPartitions(raw, partitions, root, readOnly, mountPoint, mounts, notes);
      return work.apply(new Mounted(mountPoint, Map.copyOf(uuids), List.copyOf(notes)));
    }
  }

  /** Mount options: read-only means no write at all (ext4 would replay its journal without noload). */
  private static String options(Partition partition, boolean readOnly) {
    String fileSystem = partition.fileSystem();
    // Clones of one XFS file system share a UUID; XFS refuses a second mount without nouuid.
    return (readOnly ? "ro" : "rw")
        + (fileSystem.equals("xfs") ? ",nouuid" : "")
        + (readOnly && fileSystem.equals("ext4") ? ",noload" : "")
        + (readOnly && fileSystem.equals("xfs") ? ",norecovery" : "");
  }

  /** Mounts the partitions of this disk that the root's fstab names for /boot and /boot/efi. */
  private static void mountBootPartitions(Path raw, List<Partition> partitions, Partition root, boolean readOnly,
      Path mountPoint, Mounts mounts, List<String> notes) {
    String fstab = new RootFileSystem(mountPoint).readText("/etc/fstab").orElse("");
    for (BootPartitions.Entry entry : BootPartitions.find(fstab, partitions)) {
      String where = "fstab's " + entry.mountPoint() + " (" + entry.spec() + ")";
      if (entry.partition().isEmpty()) {
        notes.add(where + " is not a partition of this disk: not mounted");
        continue;
      }
      Partition partition = entry.partition().get();
      if (partition.number() == root.number()) {
        continue;
      }
      if (!BootPartitions.FILE_SYSTEMS.contains(partition.fileSystem())) {
        notes.add(where + " is partition " + partition.number() + " with file system " + partition.fileSystem()
            + ": not mounted (mounted are " + BootPartitions.FILE_SYSTEMS + ")");
        continue;
      }
      Path target = mountPoint.resolve(entry.mountPoint().substring(1));
      if (!Mounts.isRealDirectory(mountPoint, target)) {
        notes.add(where + ": the root has no directory " + entry.mountPoint()
            + " (or it lies behind a symbolic link): not mounted");
        continue;
      }
      String device = mounts.attach(raw, partition.offset(), partition.length());
      try {
        mounts.mount(List.of("-t", BootPartitions.mountType(partition), "-o", options(partition, readOnly) + ",nodev,nosuid"),
            device, mountPoint, target);
      } catch (FerryException e) {
        if (entry.mountPoint().equals("/boot")) {
          // Without /boot the kernels, BLS entries and initramfs would be read and written in the
          // root's empty /boot directory: refuse rather than change the wrong place.
          throw new FerryException(ErrorCode.HOST_OPERATION_FAILED,
              "cannot mount " + where + ", partition " + partition.number() + ": " + e.getMessage(), e);
        }
        notes.add("could not mount partition " + partition.number() + " (" + partition.fileSystem() + ") on "
            + entry.mountPoint() + ", " + where + ": " + e.getMessage() + "; the run goes on without it");
        continue;
      }
      notes.add("mounted partition " + partition.number() + " (" + partition.fileSystem() + ") on "
          + entry.mountPoint() + (readOnly ? " read-only" : "") + ": " + where);
    }
  }

  /**
   * The root partition: {@code --partition}, or among the Linux file systems the largest that holds
   * an os-release (each candidate is probed read-only), or the largest.
   */
  private Partition choose(Path raw, List<Partition> partitions, List<String> notes) throws IOException {
    if (partitionNumber != null) {
      return partitions.stream()
          .filter(p -> p.number() == partitionNumber)
          .findFirst()
          .orElseThrow(() -> new FerryException(ErrorCode.NOT_FOUND,
              "no partition " + partitionNumber + " in " + image + "; partitions: " + partitions));
    }
    List<Partition> candidates = partitions.stream()
        .filter(Partition::linuxFileSystem)
        .sorted(Comparator.comparingLong(Partition::length).reversed())
        .toList();
    if (candidates.isEmpty()) {
      throw new FerryException(ErrorCode.NOT_FOUND,
          "no Linux root file system (ext4, xfs, btrfs) found in " + image + "; partitions: " + partitions);
    }
    if (candidates.size() == 1) {
      return candidates.get(0);
    }
    for (Partition candidate : candidates) {
      try (Mounts mounts = new Mounts()) {
        Path probe = mounts.temporaryDirectory(scratchDirectory, "ferry-probe-");
        String device = mounts.attach(raw, candidate.offset(), candidate.length());
        mounts.mount(List.of("-o", options(candidate, true)), device, probe, probe);
        RootFileSystem fileSystem = new RootFileSystem(probe);
        if (fileSystem.isFile("/etc/os-release") || fileSystem.isFile("/usr/lib/os-release")) {
          notes.add("root: partition " + candidate.number() + " (" + candidate.fileSystem()
              + "), the largest Linux file system holding an os-release");
          return candidate;
        }
      }
    }
    notes.add("root: partition " + candidates.get(0).number() + ", the largest Linux file system (none holds an os-release)");
    return candidates.get(0);
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
