package io.ferry.orchestrator.support;

import io.ferry.orchestrator.Orchestrator;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/** One embedded PostgreSQL per test JVM; each test class gets its own migrated database. */
public final class TestDatabase {

  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static EmbeddedPostgres postgres;

  private TestDatabase() {}

  private static synchronized EmbeddedPostgres postgres() {
    if (postgres == null) {
      try {
        Path directory = Files.createTempDirectory("ferry-orchestrator-postgres");
        postgres = EmbeddedPostgres.builder().setDataDirectory(directory).setCleanDataDirectory(true).start();
        EmbeddedPostgres started = postgres;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            started.close();
          } catch (IOException ignored) {
            // exiting
          }
        }));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return postgres;
  }

  /** A new, migrated database; returns its JDBC URL (user postgres, no password). */
  public static String newDatabase() {
    String name = "ferry_orchestrator_" + DATABASES.incrementAndGet();
    try (Connection connection = postgres().getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("create database " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + name, e);
    }
    String url = postgres.getJdbcUrl("postgres", name);
    Orchestrator.migrate(dataSource(url));
    return url;
  }

  /** A plain data source for {@code url}. */
  public static DataSource dataSource(String url) {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setURL(url);
    return dataSource;
  }
}
