package io.ferry.standardization;

/** Receives progress of a long operation in bytes. Implementations must be cheap and thread-safe. */
@FunctionalInterface
public interface ProgressListener {

  /** A listener that ignores every report. */
  ProgressListener NONE = (done, total) -> {};

  /**
   * Reports that {@code bytesDone} of {@code bytesTotal} bytes are finished.
   *
   * @param bytesDone bytes finished so far, never decreasing within one operation
   * @param bytesTotal the total, or -1 when unknown
   */
  void progress(long bytesDone, long bytesTotal);
}
