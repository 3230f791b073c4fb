package io.ferry.systemmanager.internal.database;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.systemmanager.FerryServerApplication;
import io.ferry.systemmanager.support.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database at start: Flyway builds the whole schema on an empty database, the embedded
 * default keeps its data across restarts, and an unreachable database ends the process with one
 * clear log line and a non-zero exit status.
 */
class DatabaseStartIT {

  @TempDir Path temporary;

  @Test
  void flywayCreatesTheWholeSchemaOnAnEmptyDatabase() throws SQLException {
    String url = TestDatabase.createDatabase("flyway_empty");

    MigrateResult result = Flyway.configure().dataSource(url, "postgres", null)
        .locations("classpath:db/migration").load().migrate();

    assertThat(result.success).isTrue();
    assertThat(result.migrationsExecuted).isGreaterThanOrEqualTo(1);
    List<String> tables = new ArrayList<>();
    try (Connection connection = DriverManager.getConnection(url, "postgres", null);
        ResultSet rows = connection.getMetaData().getTables(null, "public", "%", new String[] {"TABLE"})) {
      while (rows.next()) {
        tables.add(rows.getString("TABLE_NAME"));
      }
    }
    assertThat(tables).contains("tenant", "app_user", "api_token", "cloud_account", "catalogue_image", "migration",
        "migration_step", "audit_event", "flyway_schema_history");
    assertThat(Flyway.configure().dataSource(url, "postgres", null).locations("classpath:db/migration").load()
        .migrate().migrationsExecuted).as("a second run changes nothing").isZero();
  }

  @Test
  void embeddedDatabaseKeepsItsDataAcrossRestarts() throws Exception {
    Path data = temporary.resolve("postgres");
    try (EmbeddedDatabase first = EmbeddedDatabase.start(data, 0);
        Connection connection = DriverManager.getConnection(first.jdbcUrl(), first.user(), null);
        Statement statement = connection.createStatement()) {
      statement.execute("create table kept (value text)");
      statement.execute("insert into kept values ('survives')");
    }
    try (EmbeddedDatabase second = EmbeddedDatabase.start(data, 0);
        Connection connection = DriverManager.getConnection(second.jdbcUrl(), second.user(), null);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("select value from kept")) {
      assertThat(rows.next()).isTrue();
      assertThat(rows.getString(1)).isEqualTo("survives");
      assertThat(second.dataDirectory()).isEqualTo(data);
    }
  }

  @Test
  void unreachableDatabaseLogsOneLineAndExitsNonZero() throws IOException, InterruptedException {
    Path log = temporary.resolve("server.log");
    Process process = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"),
            FerryServerApplication.class.getName(),
            "--spring.datasource.url=jdbc:postgresql://127.0.0.1:1/ferry?password=not-logged",
            "--spring.datasource.username=ferry",
            "--ferry.home=" + temporary.resolve("home"),
            "--ferry.security.master-key=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
            "--server.port=0")
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("the process ends").isTrue();

    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(output).isNotZero();
    List<String> errors = output.lines().filter(line -> line.contains(" ERROR ")).toList();
    assertThat(errors).as(output).hasSize(1);
    assertThat(errors.get(0)).contains("Cannot reach the database at jdbc:postgresql://127.0.0.1:1/ferry:")
        .contains("spring.datasource.url");
    assertThat(output).doesNotContain("\tat ").doesNotContain("not-logged").doesNotContain("APPLICATION FAILED");
  }
}
