package io.ferry.standardization;

import java.util.Objects;

/**
 * The base exception of Ferry's cloud-agnostic core and of every plugin. Each failure carries an
 * {@link ErrorCode}; whether the orchestrator retries a failed step is decided by the code alone.
 */
public class FerryException extends RuntimeException {

  private final ErrorCode code;

  public FerryException(ErrorCode code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code, "code");
  }

  public FerryException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  /** The kind of failure, stable across releases, used in API problem details and metrics. */
  public ErrorCode code() {
    return code;
  }

  /** Whether retrying the same operation may succeed (throttling, timeouts, 5xx). */
  public boolean retryable() {
    return code.retryable();
  }
}
