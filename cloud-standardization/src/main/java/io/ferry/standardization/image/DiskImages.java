package io.ferry.standardization.image;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.ProgressListener;
import io.ferry.standardization.image.internal.Converter;
import io.ferry.standardization.image.internal.SparseFileMap;
import io.ferry.standardization.image.qcow2.Qcow2FormatHandler;
import io.ferry.standardization.image.raw.RawFormatHandler;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The entry point to disk images: detect a file's format by magic, open it, create a new image
 * and convert between any two formats.
 */
public final class DiskImages {

  /**
   * Every format recognised by magic, asked in this order; the first that matches wins. Raw is
   * not here: it is the fallback when nothing matches. Add a format with one line.
   */
  private static final List<ImageFormatHandler> HANDLERS =
      List.of(
          new Qcow2FormatHandler(),
          new io.ferry.standardization.image.vhdx.VhdxFormatHandler(),
          new io.ferry.standardization.image.vmdk.VmdkSparseFormatHandler(),
          new io.ferry.standardization.image.vmdk.VmdkStreamOptimizedFormatHandler(),
          new io.ferry.standardization.image.vmdk.VmdkFlatFormatHandler(),
          new io.ferry.standardization.image.vhd.VhdDynamicFormatHandler(),
          new io.ferry.standardization.image.ova.OvaFormatHandler(),
          new io.ferry.standardization.image.gcp.GcpArchiveFormatHandler(),
          new io.ferry.standardization.image.vhd.VhdFixedFormatHandler()
          // further formats register here, one line each (VHD fixed stays last: footer magic).
          );

  private static final ImageFormatHandler RAW = new RawFormatHandler();

  private DiskImages() {}

  /** Every handler, in detection order, raw last. */
  public static List<ImageFormatHandler> handlers() {
    List<ImageFormatHandler> all = new ArrayList<>(HANDLERS);
    all.add(RAW);
    return List.copyOf(all);
  }

  /** The handler of {@code format}. */
  public static ImageFormatHandler handler(DiskFormat format) {
    for (ImageFormatHandler handler : handlers()) {
      if (handler.format() == format) {
        return handler;
      }
    }
    throw new FerryException(ErrorCode.UNSUPPORTED, "no handler for " + format.id() + " images");
  }

  /**
   * Prepares, on a daemon thread of its own, for opening {@code candidates} (paths a command line
   * names; those that are not image files are ignored): detects their formats, which loads the
   * classes of their readers, and when one is raw loads the native part that finds the holes of
   * sparse files (the C library through JNA: about 0.1 s, most of it JNA's start-up). A short-lived
   * process overlaps this with its own start-up; opening an image waits for whatever is still
   * loading. Never needed for correctness, and any error here is left to the real open.
   */
  public static void prepareToOpen(List<Path> candidates) {
    Thread preparer =
        new Thread(
            () -> {
              for (Path candidate : candidates) {
                try {
                  if (Files.isRegularFile(candidate) && detect(candidate) == DiskFormat.RAW) {
                    SparseFileMap.available();
                    return;
                  }
                } catch (IOException | RuntimeException ignored) {
                  // the real open reports it
                }
              }
            },
            "ferry-prepare-open");
    preparer.setDaemon(true);
    preparer.start();
  }

  /**
   * The format of {@code path}, by magic only; raw when no format recognises it.
   *
   * @throws FerryException IMAGE_FORMAT_UNKNOWN when the file is plainly not a raw disk either: an
   *     image format Ferry does not read (VDI, QED, ...) or a compressed file or archive
   */
  public static DiskFormat detect(Path path) throws IOException {
    return detectHandler(path).format();
  }

  /** Opens {@code path} with the format {@link #detect(Path)} finds. */
  public static DiskImageReader open(Path path) throws IOException {
    return detectHandler(path).open(path);
  }

  /** Opens {@code path} as {@code format}, without detection. */
  public static DiskImageReader open(Path path, DiskFormat format) throws IOException {
    return handler(format).open(path);
  }

  /** Creates a new image; it becomes visible under {@code target} only when finished. */
  public static DiskImageWriter create(
      Path target, DiskFormat format, long virtualSize, WriteOptions options) throws IOException {
    if (virtualSize < 0) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST, "virtual size must not be negative: " + virtualSize);
    }
    return handler(format).create(target, virtualSize, options);
  }

  /**
   * Copies the whole disk from {@code reader} to {@code writer} and finishes the writer. Reads
   * only DATA extents, in blocks of 1 MiB on two threads with a bounded number in flight, never
   * writes all-zero runs of 64 KiB, and hands data to the writer in ascending order. Neither
   * reader nor writer is closed. On failure the writer is left unfinished (closing it then
   * leaves no complete-looking output).
   */
  public static ConversionStats convert(
      DiskImageReader reader, DiskImageWriter writer, ProgressListener listener)
      throws IOException {
    return new Converter(2).convert(reader, writer, listener);
  }

  private static ImageFormatHandler detectHandler(Path path) throws IOException {
    if (!Files.exists(path)) {
      throw new FerryException(ErrorCode.NOT_FOUND, "no such image file: " + path);
    }
    if (Files.isDirectory(path)) {
      throw new FerryException(ErrorCode.INVALID_REQUEST, "a directory is not a disk image: " + path);
    }
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      ImageProbe probe = new ImageProbe(path, channel);
      for (ImageFormatHandler handler : HANDLERS) {
        if (handler.matches(probe)) {
          return handler;
        }
      }
      FerryException foreign = ForeignFiles.refusal(probe);
      if (foreign != null) {
        throw foreign;
      }
    }
    return RAW;
  }
}
