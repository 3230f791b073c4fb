package io.ferry.orchestrator.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import javax.sql.DataSource;

/** The orchestrator's plain-JDBC plumbing: transactions and parameterized updates. */
public final class Jdbc {

  /** Work inside one transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /** The longest message a message column holds. */
  public static final int MESSAGE_LENGTH = 2000;

  private Jdbc() {}

  /**
   * Runs {@code work} in one transaction on a connection of {@code dataSource}: committed when it
   * returns, rolled back when it throws. SQL errors become IllegalStateException.
   */
  public static <T> T transaction(DataSource dataSource, Work<T> work) {
    try (Connection connection = dataSource.getConnection()) {
      boolean autoCommit = connection.getAutoCommit();
      connection.setAutoCommit(false);
      try {
        T result = work.run(connection);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("orchestrator database: " + e.getMessage(), e);
    }
  }

  /** Runs an insert, update or delete; an Instant parameter is a timestamp, null is NULL. */
  public static int update(Connection connection, String sql, Object... parameters) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        Object parameter = parameters[i];
        if (parameter instanceof Instant instant) {
          statement.setTimestamp(i + 1, Timestamp.from(instant));
        } else if (parameter == null) {
          statement.setNull(i + 1, Types.NULL);
        } else {
          statement.setObject(i + 1, parameter);
        }
      }
      return statement.executeUpdate();
    }
  }

  /** {@code message} cut to {@link #MESSAGE_LENGTH} characters, or null. */
  public static String truncate(String message) {
    if (message == null) {
      return null;
    }
    return message.length() <= MESSAGE_LENGTH ? message : message.substring(0, MESSAGE_LENGTH - 3) + "...";
  }
}
