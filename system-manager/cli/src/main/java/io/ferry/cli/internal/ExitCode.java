package io.ferry.cli.internal;

/** The exit status of {@code ferry}, by outcome; documented in the module's README. */
public enum ExitCode {
  /** Done; for {@code migrate --wait}: the migration succeeded. */
  OK(0),
  /** The migration failed. */
  MIGRATION_FAILED(1),
  /** Wrong command line or missing configuration (no URL or token). */
  USAGE(2),
  /** The server refused the token (wrong, expired or revoked). */
  UNAUTHENTICATED(3),
  /** The token's role does not allow the command. */
  FORBIDDEN(4),
  /** The migration was cancelled. */
  CANCELLED(5),
  /** The server refused the request: unknown account, image or migration, invalid input, conflict. */
  REFUSED(6),
  /** The server cannot be reached or failed (5xx). */
  UNAVAILABLE(7),
  /** {@code --timeout} passed before the migration finished (it keeps running). */
  TIMEOUT(8);

  private final int status;

  ExitCode(int status) {
    this.status = status;
  }

  public int status() {
    return status;
  }
}
