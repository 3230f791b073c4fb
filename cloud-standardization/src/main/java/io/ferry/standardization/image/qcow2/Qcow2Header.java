package io.ferry.standardization.image.qcow2;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.nio.ByteBuffer;

/**
 * The validated header of a qcow2 image (versions 2 and 3). Parsing checks every field Ferry
 * relies on against the file size and refuses features it does not support.
 */
record Qcow2Header(
    int version,
    int clusterBits,
    long virtualSize,
    int l1Size,
    long l1TableOffset,
    long refcountTableOffset,
    int refcountTableClusters,
    int refcountOrder,
    int headerLength,
    int compressionType,
    boolean extendedL2) {

  static final int MAGIC = 0x514649fb;
  static final int V2_HEADER_LENGTH = 72;
  static final int V3_MIN_HEADER_LENGTH = 104;
  /** qemu's limit for the L1 table: 32 MiB. */
  static final int MAX_L1_ENTRIES = 32 * 1024 * 1024 / 8;
  /** The largest virtual size Ferry accepts: 2^56 bytes (64 PiB). */
  static final long MAX_VIRTUAL_SIZE = 1L << 56;

  static final long INCOMPATIBLE_DIRTY = 1;
  static final long INCOMPATIBLE_CORRUPT = 1 << 1;
  static final long INCOMPATIBLE_EXTERNAL_DATA_FILE = 1 << 2;
  static final long INCOMPATIBLE_COMPRESSION_TYPE = 1 << 3;
  static final long INCOMPATIBLE_EXTENDED_L2 = 1 << 4;
  static final long INCOMPATIBLE_KNOWN = 0x1f;

  static final int COMPRESSION_DEFLATE = 0;
  static final int COMPRESSION_ZSTD = 1;

  static final int EXTENSION_END = 0;
  static final int EXTENSION_BACKING_FORMAT = 0xe2792aca;
  static final int EXTENSION_ENCRYPTION = 0x0537be77;
  static final int EXTENSION_EXTERNAL_DATA_FILE = 0x44415441;

  int clusterSize() {
    return 1 << clusterBits;
  }

  /** Entries in one L2 table: 8 bytes each, 16 with extended L2 entries (entry and bitmap). */
  int l2Entries() {
    return clusterSize() / (extendedL2 ? 16 : 8);
  }

  /**
   * log2 of the unit in which allocation is recorded: the subcluster (cluster / 32) with extended
   * L2 entries, else the cluster.
   */
  int unitBits() {
    return extendedL2 ? clusterBits - 5 : clusterBits;
  }

  /** Virtual bytes covered by one L1 entry. */
  long bytesPerL1Entry() {
    return (long) clusterSize() * l2Entries();
  }

  /** Parses and validates the fixed header (the first bytes of the file). */
  static Qcow2Header parse(ByteBuffer buffer, long fileSize) {
    if (buffer.remaining() < V2_HEADER_LENGTH) {
      throw corrupt("header", 0, "file is " + fileSize + " bytes, shorter than a qcow2 header");
    }
    if (buffer.getInt(0) != MAGIC) {
      throw new FerryException(
          ErrorCode.IMAGE_FORMAT_UNKNOWN, "not a qcow2 image: wrong magic at offset 0");
    }
    int version = buffer.getInt(4);
    if (version != 2 && version != 3) {
      throw new FerryException(
          ErrorCode.IMAGE_FEATURE_UNSUPPORTED,
          version == 1
              ? "the image is in QEMU's old qcow format (version 1 at offset 4), which Ferry does not read:"
                  + " convert it to qcow2 first (qemu-img convert -O qcow2)"
              : "qcow2 version " + version + " at offset 4 is not supported (only 2 and 3)");
    }
    long backingFileOffset = buffer.getLong(8);
    if (backingFileOffset != 0) {
      throw new FerryException(
          ErrorCode.IMAGE_FEATURE_UNSUPPORTED,
          "qcow2 image has a backing file (header offset 8 points to " + backingFileOffset
              + "); flatten it first, for example with qemu-img convert");
    }
    int clusterBits = buffer.getInt(20);
    if (clusterBits < 9 || clusterBits > 21) {
      throw corrupt("header cluster_bits", 20, "value " + clusterBits + " is outside 9..21");
    }
    int clusterSize = 1 << clusterBits;
    long virtualSize = buffer.getLong(24);
    if (virtualSize < 0 || virtualSize > MAX_VIRTUAL_SIZE) {
      throw corrupt("header size", 24, "virtual size " + virtualSize + " is absurd (max 2^56)");
    }
    int cryptMethod = buffer.getInt(32);
    if (cryptMethod != 0) {
      throw new FerryException(
          ErrorCode.IMAGE_FEATURE_UNSUPPORTED,
          "qcow2 image is encrypted (crypt_method " + cryptMethod + " at offset 32)");
    }
    long l1SizeField = Integer.toUnsignedLong(buffer.getInt(36));
    long l1TableOffset = buffer.getLong(40);
    long refcountTableOffset = buffer.getLong(48);
    long refcountTableClusters = Integer.toUnsignedLong(buffer.getInt(56));

    long incompatible = 0;
    int refcountOrder = 4;
    int headerLength = V2_HEADER_LENGTH;
    int compressionType = COMPRESSION_DEFLATE;
    if (version == 3) {
      if (buffer.remaining() < V3_MIN_HEADER_LENGTH) {
        throw corrupt("header", 0, "file ends inside the version 3 header");
      }
      incompatible = buffer.getLong(72);
      refcountOrder = buffer.getInt(96);
      headerLength = buffer.getInt(100);
      if (headerLength < V3_MIN_HEADER_LENGTH || headerLength > clusterSize) {
        throw corrupt(
            "header header_length", 100, "value " + headerLength + " is outside 104..cluster size");
      }
      if (headerLength > buffer.remaining()) {
        throw corrupt("header header_length", 100, "header of " + headerLength + " bytes is truncated");
      }
      if (refcountOrder < 0 || refcountOrder > 6) {
        throw corrupt("header refcount_order", 96, "value " + refcountOrder + " is outside 0..6");
      }
      long unknown = incompatible & ~INCOMPATIBLE_KNOWN;
      if (unknown != 0) {
        throw new FerryException(
            ErrorCode.IMAGE_FEATURE_UNSUPPORTED,
            "qcow2 image uses unknown incompatible features 0x" + Long.toHexString(unknown)
                + " (header offset 72)");
      }
      if ((incompatible & INCOMPATIBLE_EXTERNAL_DATA_FILE) != 0) {
        throw new FerryException(
            ErrorCode.IMAGE_FEATURE_UNSUPPORTED,
            "qcow2 image keeps its data in an external data file (header offset 72)");
      }
      if ((incompatible & INCOMPATIBLE_EXTENDED_L2) != 0 && clusterBits < 14) {
        // qemu makes them with clusters of 16 KiB or more: subclusters of at least 512 bytes
        throw corrupt("header cluster_bits", 20,
            "extended L2 entries (header offset 72) with clusters of " + clusterSize + " bytes (at least 16384)");
      }
      if ((incompatible & INCOMPATIBLE_COMPRESSION_TYPE) != 0) {
        if (headerLength <= 104) {
          throw corrupt(
              "header compression_type", 104, "feature bit set but the header has no such field");
        }
        compressionType = buffer.get(104) & 0xff;
        if (compressionType != COMPRESSION_DEFLATE && compressionType != COMPRESSION_ZSTD) {
          throw new FerryException(
              ErrorCode.IMAGE_FEATURE_UNSUPPORTED,
              "qcow2 compression type " + compressionType + " at offset 104 is unknown");
        }
      }
    }

    boolean extendedL2 = (incompatible & INCOMPATIBLE_EXTENDED_L2) != 0;
    long l1Needed = ceilDivide(virtualSize, (long) clusterSize * (clusterSize / (extendedL2 ? 16 : 8)));
    if (l1SizeField > MAX_L1_ENTRIES) {
      throw corrupt("header l1_size", 36, "L1 table of " + l1SizeField + " entries is absurd");
    }
    if (l1SizeField < l1Needed) {
      throw corrupt(
          "header l1_size",
          36,
          l1SizeField + " entries cannot map a virtual size of " + virtualSize + " bytes");
    }
    if (l1SizeField > 0) {
      checkTable("L1 table", 40, l1TableOffset, l1SizeField * 8, clusterSize, fileSize);
    }
    if (refcountTableClusters > 0) {
      if (refcountTableClusters > (1 << 23)) {
        throw corrupt(
            "header refcount_table_clusters", 56, refcountTableClusters + " clusters is absurd");
      }
      checkTable(
          "refcount table",
          48,
          refcountTableOffset,
          refcountTableClusters * clusterSize,
          clusterSize,
          fileSize);
      if (l1SizeField > 0
          && overlaps(
              l1TableOffset, l1SizeField * 8, refcountTableOffset, refcountTableClusters * clusterSize)) {
        throw corrupt(
            "L1 table",
            l1TableOffset,
            "overlaps the refcount table at offset " + refcountTableOffset);
      }
    }
    return new Qcow2Header(
        version,
        clusterBits,
        virtualSize,
        (int) l1SizeField,
        l1TableOffset,
        refcountTableOffset,
        (int) refcountTableClusters,
        refcountOrder,
        headerLength,
        compressionType,
        extendedL2);
  }

  /**
   * Checks the header extensions (after the header, up to the end of the first cluster) for
   * features Ferry refuses.
   */
  static void checkExtensions(ByteBuffer firstCluster, Qcow2Header header) {
    int position = header.headerLength();
    int limit = Math.min(firstCluster.limit(), header.clusterSize());
    int count = 0;
    while (position + 8 <= limit) {
      int type = firstCluster.getInt(position);
      long length = Integer.toUnsignedLong(firstCluster.getInt(position + 4));
      if (type == EXTENSION_END) {
        return;
      }
      if (type == EXTENSION_ENCRYPTION) {
        throw new FerryException(
            ErrorCode.IMAGE_FEATURE_UNSUPPORTED,
            "qcow2 image has a full disk encryption header extension at offset " + position);
      }
      if (type == EXTENSION_EXTERNAL_DATA_FILE) {
        throw new FerryException(
            ErrorCode.IMAGE_FEATURE_UNSUPPORTED,
            "qcow2 image names an external data file (header extension at offset " + position + ")");
      }
      long next = position + 8 + ((length + 7) & ~7L);
      if (next > limit || ++count > 4096) {
        throw corrupt(
            "header extension", position, "length " + length + " runs past the first cluster");
      }
      position = (int) next;
    }
  }

  private static void checkTable(
      String structure, long fieldOffset, long offset, long length, int clusterSize, long fileSize) {
    if (offset <= 0 || offset % clusterSize != 0) {
      throw corrupt(
          structure,
          offset,
          "offset (header field at " + fieldOffset + ") is not a cluster-aligned position after the header");
    }
    if (offset > fileSize || length > fileSize - offset) {
      throw corrupt(
          structure,
          offset,
          "table of " + length + " bytes runs past the end of the file (" + fileSize + " bytes)");
    }
  }

  static boolean overlaps(long offsetA, long lengthA, long offsetB, long lengthB) {
    return offsetA < offsetB + lengthB && offsetB < offsetA + lengthA;
  }

  static long ceilDivide(long value, long divisor) {
    return value == 0 ? 0 : (value - 1) / divisor + 1;
  }

  static FerryException corrupt(String structure, long offset, String detail) {
    return new FerryException(
        ErrorCode.IMAGE_CORRUPT, "qcow2 " + structure + " at offset " + offset + ": " + detail);
  }
}
