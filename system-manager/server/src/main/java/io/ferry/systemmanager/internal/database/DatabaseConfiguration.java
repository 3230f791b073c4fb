package io.ferry.systemmanager.internal.database;

import com.zaxxer.hikari.HikariDataSource;
import io.ferry.systemmanager.internal.FerryProperties;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.StringUtils;

/**
 * The database: the configured {@code spring.datasource.url}, checked once at start, or, when none
 * is configured, the embedded PostgreSQL in {@code ${ferry.home}/postgres}.
 */
@Configuration(proxyBeanMethods = false)
public class DatabaseConfiguration {

  /** Holds the embedded server when one was started, so that it stops after the pool closes. */
  public record DatabaseTarget(Optional<EmbeddedDatabase> embedded) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      if (embedded.isPresent()) {
        embedded.get().close();
      }
    }
  }

  @Bean(destroyMethod = "close")
  DatabaseTarget databaseTarget(DataSourceProperties properties, FerryProperties ferry) {
    if (StringUtils.hasText(properties.getUrl())) {
      checkReachable(properties);
      return new DatabaseTarget(Optional.empty());
    }
    return new DatabaseTarget(
        Optional.of(
            EmbeddedDatabase.start(
                ferry.home().resolve("postgres"), ferry.database().embedded().port())));
  }

  @Bean
  @ConfigurationProperties("spring.datasource.hikari")
  DataSource dataSource(DatabaseTarget target, DataSourceProperties properties) {
    HikariDataSource dataSource;
    if (target.embedded().isPresent()) {
      EmbeddedDatabase embedded = target.embedded().get();
      dataSource = new HikariDataSource();
      dataSource.setJdbcUrl(embedded.jdbcUrl());
      dataSource.setUsername(embedded.user());
    } else {
      dataSource = properties.initializeDataSourceBuilder().type(HikariDataSource.class).build();
    }
    dataSource.setPoolName("ferry");
    return dataSource;
  }

  private static void checkReachable(DataSourceProperties properties) {
    Properties connectionProperties = new Properties();
    if (properties.getUsername() != null) {
      connectionProperties.setProperty("user", properties.getUsername());
    }
    if (properties.getPassword() != null) {
      connectionProperties.setProperty("password", properties.getPassword());
    }
    connectionProperties.setProperty("connectTimeout", "10");
    connectionProperties.setProperty("loginTimeout", "15");
    try (Connection connection = DriverManager.getConnection(properties.getUrl(), connectionProperties)) {
      connection.isValid(5);
    } catch (SQLException e) {
      throw new DatabaseUnreachableException(
          "Cannot reach the database at "
              + withoutParameters(properties.getUrl())
              + ": "
              + oneLine(e.getMessage())
              + ". Check spring.datasource.url, username and password, or unset the URL to use the embedded database.",
          e);
    }
  }

  /** The URL without its query, where passwords may hide. */
  static String withoutParameters(String url) {
    int query = url.indexOf('?');
    return query < 0 ? url : url.substring(0, query);
  }

  private static String oneLine(String message) {
    return message == null ? "no detail" : message.replaceAll("\\s+", " ").trim();
  }
}
