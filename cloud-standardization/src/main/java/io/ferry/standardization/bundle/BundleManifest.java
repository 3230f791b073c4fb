package io.ferry.standardization.bundle;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferry.standardization.spi.BootMode;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The manifest of a bundle, format version {@value #FORMAT_VERSION}. Its JSON form is described
 * by {@code bundle/manifest.schema.json} and {@code docs/bundle-manifest.md}; {@link
 * BundleManifests} reads and writes it.
 *
 * @param formatVersion the manifest format version ({@value #FORMAT_VERSION})
 * @param bundleId the bundle's id in its store
 * @param createdAt when bundling started
 * @param source where the disk came from
 * @param disk the virtual disk's size, sector size and whole-disk digest
 * @param chunking how the disk was cut and compressed
 * @param partitionTable the partition table found on the disk
 * @param bootMode how the disk boots, judged from the partition table
 * @param os facts about the operating system, filled in by the guest agent (free form)
 * @param cloudLayer the captured cloud layer, filled in by the guest agent (free form)
 * @param chunks the non-zero chunks in ascending offset order; ranges not listed are zeros
 */
public record BundleManifest(
    int formatVersion,
    String bundleId,
    Instant createdAt,
    Source source,
    Disk disk,
    Chunking chunking,
    PartitionTable partitionTable,
    BootMode bootMode,
    ObjectNode os,
    ObjectNode cloudLayer,
    List<ChunkEntry> chunks) {

  /**
   * The manifest format version this code writes; it reads every version up to it. Version 1's
   * whole-disk digest is {@link Disk#SHA256}, version 2's {@link Disk#SHA256_CHUNK_LIST}.
   */
  public static final int FORMAT_VERSION = 2;

  public BundleManifest {
    Objects.requireNonNull(bundleId, "bundleId");
    Objects.requireNonNull(createdAt, "createdAt");
    source = source == null ? Source.UNKNOWN : source;
    Objects.requireNonNull(disk, "disk");
    Objects.requireNonNull(chunking, "chunking");
    partitionTable = partitionTable == null ? PartitionTable.NONE : partitionTable;
    bootMode = bootMode == null ? BootMode.UNKNOWN : bootMode;
    os = os == null ? JsonNodeFactory.instance.objectNode() : os;
    cloudLayer = cloudLayer == null ? JsonNodeFactory.instance.objectNode() : cloudLayer;
    chunks = List.copyOf(chunks);
  }

  /** The sum of the compressed sizes of the chunks (counting shared chunks once per use). */
  public long compressedBytes() {
    return chunks.stream().mapToLong(ChunkEntry::compressedSize).sum();
  }

  /** The bytes of non-zero chunks, uncompressed. */
  public long dataBytes() {
    return chunks.stream().mapToLong(ChunkEntry::length).sum();
  }

  /** This manifest with the guest agent's OS facts and captured cloud layer replaced. */
  public BundleManifest withGuestFacts(ObjectNode os, ObjectNode cloudLayer) {
    return new BundleManifest(
        formatVersion, bundleId, createdAt, source, disk, chunking, partitionTable, bootMode, os,
        cloudLayer, chunks);
  }

  /**
   * Where the disk came from. Every field may be null.
   *
   * @param cloud the source cloud's plugin id ({@code aws}, {@code local}, ...)
   * @param imageId the source image's id in that cloud
   * @param version the source image's version
   */
  public record Source(String cloud, String imageId, String version) {
    /** Nothing known about the source. */
    public static final Source UNKNOWN = new Source(null, null, null);
  }

  /**
   * The virtual disk.
   *
   * @param virtualSize its size in bytes
   * @param logicalSectorSize the logical sector size the partition table uses (512 or 4096)
   * @param sha256 the whole-disk digest in lower-case hex, computed as {@code digestAlgorithm} says
   * @param digestAlgorithm {@link #SHA256} (format version 1; also when absent) or {@link
   *     #SHA256_CHUNK_LIST} (format version 2)
   */
  public record Disk(long virtualSize, int logicalSectorSize, String sha256, String digestAlgorithm) {

    /** The SHA-256 of the whole virtual disk, zeros included (format version 1). */
    public static final String SHA256 = "sha256";

    /**
     * The SHA-256 of the concatenated 32-byte SHA-256 digests of every chunk of the chunk grid in
     * disk order, zero chunks included, the last chunk as long as what is left (format version 2).
     */
    public static final String SHA256_CHUNK_LIST = "sha256-chunk-list";

    public Disk {
      digestAlgorithm = digestAlgorithm == null ? SHA256 : digestAlgorithm;
    }

    /** A disk whose digest is the plain SHA-256 of the whole disk (format version 1). */
    public Disk(long virtualSize, int logicalSectorSize, String sha256) {
      this(virtualSize, logicalSectorSize, sha256, SHA256);
    }
  }

  /**
   * How the disk was cut into chunks.
   *
   * @param chunkSize the chunk size in bytes, a power of two; chunk i covers {@code [i*chunkSize,
   *     min((i+1)*chunkSize, virtualSize))}
   * @param compression the codec of every stored chunk ({@code zstd})
   * @param compressionLevel the codec level used when the chunks were first written
   */
  public record Chunking(int chunkSize, String compression, int compressionLevel) {}

  /**
   * One stored, non-zero chunk.
   *
   * @param offset its disk offset, a multiple of the chunk size
   * @param length its uncompressed length
   * @param sha256 the SHA-256 of its uncompressed content, lower-case hex: its id in the store
   * @param compressedSize the size of the stored zstd frame
   */
  public record ChunkEntry(long offset, long length, String sha256, long compressedSize) {
    /** The first disk byte after this chunk. */
    public long end() {
      return offset + length;
    }
  }

  /**
   * The disk's partition table.
   *
   * @param scheme GPT, MBR or NONE
   * @param diskGuid the GPT disk GUID (null for MBR)
   * @param mbrDiskSignature the MBR disk signature as 8 hex digits (null when zero or absent)
   * @param mbrBootCode whether sector 0 holds non-zero boot code (a BIOS boot loader)
   * @param partitions the partitions in table order
   * @param fileSystem the file system occupying the whole disk when there is no partition table
   * @param problems what looked wrong while parsing (bad checksums, entries out of range)
   */
  public record PartitionTable(
      PartitionScheme scheme,
      String diskGuid,
      String mbrDiskSignature,
      boolean mbrBootCode,
      List<Partition> partitions,
      FileSystem fileSystem,
      List<String> problems) {

    /** No partition table and nothing recognised. */
    public static final PartitionTable NONE =
        new PartitionTable(PartitionScheme.NONE, null, null, false, List.of(), null, List.of());

    public PartitionTable {
      Objects.requireNonNull(scheme, "scheme");
      partitions = partitions == null ? List.of() : List.copyOf(partitions);
      problems = problems == null ? List.of() : List.copyOf(problems);
    }
  }

  /** The kinds of partition table. */
  public enum PartitionScheme {
    GPT,
    MBR,
    NONE
  }

  /**
   * One partition.
   *
   * @param number its number as Linux counts it (1-based; MBR logical partitions start at 5)
   * @param start its first byte on the disk
   * @param size its size in bytes
   * @param mbrType the MBR partition type byte (null for GPT)
   * @param bootable the MBR active flag
   * @param typeGuid the GPT partition type GUID (null for MBR)
   * @param guid the GPT unique partition GUID (null for MBR)
   * @param name the GPT partition name (null for MBR or when empty)
   * @param attributes the GPT attribute bits
   * @param typeName a readable name of the type ({@code EFI System}, {@code Linux filesystem})
   * @param fileSystem the file system found in it, or null when none was recognised
   */
  public record Partition(
      int number,
      long start,
      long size,
      Integer mbrType,
      boolean bootable,
      String typeGuid,
      String guid,
      String name,
      long attributes,
      String typeName,
      FileSystem fileSystem) {}

  /**
   * A file system recognised by its superblock.
   *
   * @param type ext2, ext3, ext4, xfs, btrfs, vfat, ntfs, swap or LVM2_member
   * @param variant FAT12, FAT16 or FAT32 for vfat, otherwise null
   * @param uuid the file system UUID (or FAT volume id, NTFS serial), when present
   * @param label the label, when present and cheap to read
   */
  public record FileSystem(String type, String variant, String uuid, String label) {}
}
