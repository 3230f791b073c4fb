package io.ferry.systemmanager.internal.database;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default: a PostgreSQL server run from the application, with its data in a
 * directory that survives restarts, holding one database named {@code ferry}.
 */
public final class EmbeddedDatabase implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);
  static final String DATABASE_NAME = "ferry";

  private final EmbeddedPostgres postgres;
  private final Path dataDirectory;

  private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDirectory) {
    this.postgres = postgres;
    this.dataDirectory = dataDirectory;
  }

  /**
   * Starts the server on the data directory (created and initialised when missing) and creates the
   * {@code ferry} database when it does not exist.
   *
   * @param port the port, 0 for any free one
   */
  public static EmbeddedDatabase start(Path dataDirectory, int port) {
    try {
      Files.createDirectories(dataDirectory.getParent());
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(dataDirectory)
              .setCleanDataDirectory(false);
      if (port > 0) {
        builder.setPort(port);
      }
      EmbeddedPostgres postgres = builder.start();
      createDatabaseIfMissing(postgres);
      LOG.info("Embedded PostgreSQL on port {} with data in {}", postgres.getPort(), dataDirectory);
      return new EmbeddedDatabase(postgres, dataDirectory);
    } catch (IOException | SQLException | RuntimeException e) {
      throw new DatabaseUnreachableException(
          "Cannot start the embedded PostgreSQL with data in " + dataDirectory + ": " + e.getMessage()
              + " (is another Ferry running on the same ferry.home?)",
          e);
    }
  }

  private static void createDatabaseIfMissing(EmbeddedPostgres postgres) throws SQLException {
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
        PreparedStatement exists =
            connection.prepareStatement("select 1 from pg_database where datname = ?")) {
      exists.setString(1, DATABASE_NAME);
      try (ResultSet result = exists.executeQuery()) {
        if (result.next()) {
          return;
        }
      }
      try (Statement create = connection.createStatement()) {
        create.execute("create database " + DATABASE_NAME);
      }
    }
  }

  /** The JDBC URL of the {@code ferry} database. */
  public String jdbcUrl() {
    return postgres.getJdbcUrl("postgres", DATABASE_NAME);
  }

  /** The user to connect as. */
  public String user() {
    return "postgres";
  }

  /** The port the server listens on. */
  public int port() {
    return postgres.getPort();
  }

  /** The directory holding the data. */
  public Path dataDirectory() {
    return dataDirectory;
  }

  /** Stops the server; the data stays. */
  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
