package io.ferry.systemmanager.internal.database;

/** The configured database cannot be reached at start; the message is the one line logged. */
public class DatabaseUnreachableException extends RuntimeException {

  public DatabaseUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
