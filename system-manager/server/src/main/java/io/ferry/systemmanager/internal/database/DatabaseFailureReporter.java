package io.ferry.systemmanager.internal.database;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringBootExceptionReporter;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Turns a start that failed because the database is unreachable into one clear log line instead
 * of a stack trace; the process then exits with a non-zero status.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
public class DatabaseFailureReporter implements SpringBootExceptionReporter {

  private static final Logger LOG = LoggerFactory.getLogger("io.ferry.systemmanager.startup");

  public DatabaseFailureReporter(ConfigurableApplicationContext context) {}

  @Override
  public boolean reportException(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof DatabaseUnreachableException unreachable) {
        LOG.error(unreachable.getMessage());
        return true;
      }
    }
    return false;
  }
}
