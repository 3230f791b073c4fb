package io.ferry.systemmanager.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/** One embedded PostgreSQL per test JVM, shared by every integration test, stopped at exit. */
public final class TestDatabase {

  private static EmbeddedPostgres postgres;

  private TestDatabase() {}

  /** The server, started on first use. */
  public static synchronized EmbeddedPostgres postgres() {
    if (postgres == null) {
      try {
        Path directory = Files.createTempDirectory("ferry-test-postgres");
        postgres = EmbeddedPostgres.builder().setDataDirectory(directory).setCleanDataDirectory(true).start();
        EmbeddedPostgres started = postgres;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            started.close();
          } catch (IOException ignored) {
            // the JVM is exiting
          }
        }));
        createDatabase("ferry_test");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return postgres;
  }

  /** The JDBC URL of the shared test database. */
  public static String url() {
    return postgres().getJdbcUrl("postgres", "ferry_test");
  }

  /** Creates another empty database on the shared server and returns its URL. */
  public static String createDatabase(String name) {
    DataSource admin = postgres().getPostgresDatabase();
    try (Connection connection = admin.getConnection(); Statement statement = connection.createStatement()) {
      statement.execute("create database " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + name, e);
    }
    return postgres.getJdbcUrl("postgres", name);
  }
}
