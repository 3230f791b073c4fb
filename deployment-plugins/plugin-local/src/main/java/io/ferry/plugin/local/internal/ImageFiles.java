package io.ferry.plugin.local.internal;

import io.ferry.standardization.ProgressListener;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.DiskImages;
import io.ferry.standardization.image.WriteOptions;
import java.io.IOException;
import java.nio.file.Path;

/** The local cloud's access to disk image files, through the shared image engine. */
final class ImageFiles {

  private ImageFiles() {}

  /** Opens an image file of any supported format, detected by magic. */
  static DiskImageReader open(Path path) throws IOException {
    return DiskImages.open(path);
  }

  /**
   * Opens a volume: always raw, never detected, so that a guest that writes an image header
   * into its own disk cannot make the host interpret it (backing files and the like).
   */
  static DiskImageReader openVolume(Path path) throws IOException {
    return DiskImages.open(path, DiskFormat.RAW);
  }

  /**
   * Creates an image file of {@code format}; it becomes visible at {@code target} only when the
   * writer finishes (until then it is {@code target + ".ferry-partial"}). Durable: a cloud's
   * image must be complete on disk once it is registered, whatever happens to the machine.
   */
  static DiskImageWriter create(Path target, DiskFormat format, long virtualSize) throws IOException {
    return DiskImages.create(target, format, virtualSize, WriteOptions.DEFAULTS.withDurable(true));
  }

  /** Copies the whole disk of {@code source} into {@code target} and finishes {@code target}. */
  static void copy(DiskImageReader source, DiskImageWriter target) throws IOException {
    DiskImages.convert(source, target, ProgressListener.NONE);
  }

  /** The file name extension of images of {@code format}. */
  static String extension(DiskFormat format) {
    return switch (format) {
      case RAW -> ".raw";
      case QCOW2 -> ".qcow2";
      case VMDK_MONOLITHIC_SPARSE, VMDK_STREAM_OPTIMIZED, VMDK_MONOLITHIC_FLAT -> ".vmdk";
      case VHD_FIXED, VHD_DYNAMIC -> ".vhd";
      case VHDX -> ".vhdx";
      case OVA -> ".ova";
      case GCP_IMAGE_TAR -> ".tar.gz";
    };
  }
}
