package io.ferry.standardization;

/**
 * Every kind of failure Ferry knows, with whether it is worth retrying. This is the one place
 * where retryable and non-retryable failures are told apart.
 */
public enum ErrorCode {
  /** The input is not a disk image of a known format (wrong magic). */
  IMAGE_FORMAT_UNKNOWN(false),
  /** The image declares a feature Ferry refuses (backing file, encryption, differencing disk). */
  IMAGE_FEATURE_UNSUPPORTED(false),
  /** The image's structures are inconsistent: truncated, out of range, cyclic, wrong checksum. */
  IMAGE_CORRUPT(false),
  /** A write to a target image or volume failed for lack of space. */
  NO_SPACE(false),
  /** A chunk or whole-disk digest did not match. */
  INTEGRITY_CHECK_FAILED(false),
  /** A bundle, chunk, image, volume or account that was asked for does not exist. */
  NOT_FOUND(false),
  /** The operation is not offered by this plugin or format. */
  UNSUPPORTED(false),
  /** The request is malformed or violates a rule. */
  INVALID_REQUEST(false),
  /** The cloud refused the credentials. */
  CLOUD_AUTHENTICATION_FAILED(false),
  /** The credentials are valid but lack a permission. */
  CLOUD_PERMISSION_DENIED(false),
  /** A cloud quota or limit is exhausted. */
  CLOUD_QUOTA_EXCEEDED(false),
  /** The cloud throttled the request. */
  CLOUD_THROTTLED(true),
  /** The cloud answered with a server error or was unreachable. */
  CLOUD_UNAVAILABLE(true),
  /** The cloud rejected the request as invalid. */
  CLOUD_REQUEST_REJECTED(false),
  /** Waiting for a cloud resource took longer than allowed. */
  TIMEOUT(true),
  /** The operating system in the image is not one Ferry knows how to handle. */
  OS_UNSUPPORTED(false),
  /** Mounting, loop devices or another privileged host operation was not permitted. */
  HOST_OPERATION_FAILED(false),
  /** A local I/O error that may be transient. */
  IO_ERROR(true),
  /** The job was cancelled. */
  CANCELLED(false),
  /** The registered image did not boot, or gave no health signal in time (see the console tail). */
  BOOT_CHECK_FAILED(false),
  /** A bug: an invariant of Ferry itself was broken. */
  INTERNAL(false);

  private final boolean retryable;

  ErrorCode(boolean retryable) {
    this.retryable = retryable;
  }

  /** Whether retrying the same operation may succeed. */
  public boolean retryable() {
    return retryable;
  }
}
