package io.ferry.standardization.image;

/** The disk image formats Ferry reads and writes. Detection is by magic, never by file name. */
public enum DiskFormat {
  RAW("raw", true, true),
  QCOW2("qcow2", true, true),
  VMDK_MONOLITHIC_SPARSE("vmdk-monolithicSparse", true, false),
  VMDK_STREAM_OPTIMIZED("vmdk-streamOptimized", true, true),
  /**
   * A VMDK text descriptor and the extent files it names: monolithicFlat, and also the split
   * (twoGbMaxExtentFlat, twoGbMaxExtentSparse) and VMFS layouts, which read the same way.
   */
  VMDK_MONOLITHIC_FLAT("vmdk-monolithicFlat", true, false),
  VHD_FIXED("vhd-fixed", true, true),
  VHD_DYNAMIC("vhd-dynamic", true, true),
  VHDX("vhdx", true, false),
  OVA("ova", true, true),
  GCP_IMAGE_TAR("gcp-tar", true, true);

  private final String id;
  private final boolean readable;
  private final boolean writable;

  DiskFormat(String id, boolean readable, boolean writable) {
    this.id = id;
    this.readable = readable;
    this.writable = writable;
  }

  /** The stable name used on the command line, in the API and in manifests. */
  public String id() {
    return id;
  }

  /** Whether Ferry can read images of this format. */
  public boolean readable() {
    return readable;
  }

  /** Whether Ferry can write images of this format. */
  public boolean writable() {
    return writable;
  }

  /** Looks a format up by its {@link #id()} (case-insensitive) or enum name. */
  public static DiskFormat fromId(String id) {
    for (DiskFormat format : values()) {
      if (format.id.equalsIgnoreCase(id) || format.name().equalsIgnoreCase(id)) {
        return format;
      }
    }
    throw new IllegalArgumentException("unknown disk format: " + id);
  }
}
