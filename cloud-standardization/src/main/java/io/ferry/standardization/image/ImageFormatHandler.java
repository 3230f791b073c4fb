package io.ferry.standardization.image;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * One disk image format: how to recognise it by magic and how to read and write it. Handlers are
 * stateless and registered in {@link DiskImages}; detection asks each handler in turn, never
 * looks at file names, and falls back to raw only when no handler recognises the file.
 */
public interface ImageFormatHandler {

  /** The format this handler reads and writes. */
  DiskFormat format();

  /**
   * Whether the probed file is an image of this format, judged by magic numbers and cheap
   * structural checks only. Must not throw for files of other formats, however short or odd;
   * it may throw {@link IOException} when the file cannot be read at all. Header-based formats
   * look at {@link ImageProbe#header()} (the first {@link ImageProbe#HEADER_LENGTH} bytes),
   * footer-based formats (VHD fixed) at {@link ImageProbe#tail(int)}, archives may read more
   * with {@link ImageProbe#read(long, int)}.
   */
  boolean matches(ImageProbe probe) throws IOException;

  /**
   * Opens an image of this format for reading. Validates the headers it needs eagerly so that a
   * corrupt image fails here rather than half-way through a conversion.
   *
   * @throws FerryException IMAGE_CORRUPT for inconsistent structures (naming the structure and
   *     offset), IMAGE_FEATURE_UNSUPPORTED for features Ferry refuses, IMAGE_FORMAT_UNKNOWN for a
   *     wrong magic
   */
  DiskImageReader open(Path path) throws IOException;

  /**
   * Creates a new image of this format. The output only becomes a complete image at {@link
   * DiskImageWriter#finish()}; until then it lives under a temporary name or is marked
   * incomplete.
   *
   * @param virtualSize the requested virtual size in bytes; the format may round it up (see
   *     {@link DiskImageWriter#virtualSize()})
   * @throws FerryException UNSUPPORTED when the format is read-only
   */
  default DiskImageWriter create(Path target, long virtualSize, WriteOptions options)
      throws IOException {
    throw new FerryException(
        ErrorCode.UNSUPPORTED, "Ferry cannot write " + format().id() + " images");
  }
}
