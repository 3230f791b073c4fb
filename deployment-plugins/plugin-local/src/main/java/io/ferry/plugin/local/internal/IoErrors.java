package io.ferry.plugin.local.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/** Turns I/O failures of the local cloud into {@link FerryException}s with the right code. */
public final class IoErrors {

  private IoErrors() {}

  /**
   * The exception for {@code cause} while doing {@code what}: NO_SPACE for a full file system,
   * HOST_OPERATION_FAILED for a permission problem, NOT_FOUND for a missing file, IO_ERROR
   * otherwise. A {@link FerryException} found among the causes is returned unchanged.
   */
  public static FerryException translate(String what, IOException cause) {
    for (Throwable current = cause; current != null; current = current.getCause()) {
      if (current instanceof FerryException ferry) {
        return ferry;
      }
    }
    if (isNoSpace(cause)) {
      return new FerryException(
          ErrorCode.NO_SPACE, "local cloud: no space left while " + what + ": " + cause.getMessage(), cause);
    }
    if (cause instanceof AccessDeniedException) {
      return new FerryException(
          ErrorCode.HOST_OPERATION_FAILED, "local cloud: permission denied while " + what + ": " + cause.getMessage(), cause);
    }
    if (cause instanceof NoSuchFileException) {
      return new FerryException(
          ErrorCode.NOT_FOUND, "local cloud: file not found while " + what + ": " + cause.getMessage(), cause);
    }
    return new FerryException(ErrorCode.IO_ERROR, "local cloud: I/O error while " + what + ": " + cause, cause);
  }

  /** Whether {@code failure} or one of its causes says the file system is full (ENOSPC, EDQUOT). */
  public static boolean isNoSpace(Throwable failure) {
    for (Throwable current = failure; current != null; current = current.getCause()) {
      String message = current.getMessage();
      if (message != null
          && (message.contains("No space left on device") || message.contains("Disk quota exceeded"))) {
        return true;
      }
    }
    return false;
  }
}
