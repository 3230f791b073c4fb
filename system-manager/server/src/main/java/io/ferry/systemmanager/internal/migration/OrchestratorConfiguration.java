package io.ferry.systemmanager.internal.migration;

import io.ferry.orchestrator.MigrationOrchestrator;
import io.ferry.orchestrator.Orchestrator;
import io.ferry.orchestrator.OrchestratorSettings;
import io.ferry.orchestrator.RecordingMigrationOrchestrator;
import io.ferry.standardization.bundle.ChunkStore;
import io.ferry.standardization.bundle.LocalChunkStore;
import io.ferry.standardization.bundle.s3.S3ChunkStore;
import io.ferry.standardization.bundle.s3.S3StoreConfig;
import io.ferry.standardization.spi.CloudPlugins;
import io.ferry.systemmanager.internal.FerryProperties;
import io.ferry.systemmanager.internal.account.CloudAccountService;
import io.ferry.systemmanager.internal.billing.CostRecorder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The orchestrator migrations are handed to: the real workflow when {@code ferry.orchestrator.enabled}
 * (its workers start once the context, and so Flyway, is ready; its events are mirrored into the
 * migration rows), otherwise the recording stand-in that keeps migrations queued.
 */
@Configuration(proxyBeanMethods = false)
public class OrchestratorConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnProperty(prefix = "ferry.orchestrator", name = "enabled", havingValue = "true")
  Orchestrator orchestrator(DataSource dataSource, Clock clock, CloudAccountService accounts,
      OrchestratorProperties properties, FerryProperties ferry, JdbcTemplate jdbc, ObjectProvider<CostRecorder> costs)
      throws IOException {
    Path home = ferry.home().toAbsolutePath();
    Path work = properties.workDirectory() != null ? properties.workDirectory() : home.resolve("work");
    OrchestratorSettings settings = OrchestratorSettings
        .defaults(properties.agentJar().toAbsolutePath(), work, chunkStore(properties, home, clock))
        .withWorkerThreads(properties.workers());
    // The actual cost is recorded when a job ends (lazily: the recorder needs this orchestrator).
    MigrationMirror mirror = new MigrationMirror(jdbc, clock, status -> costs.getObject().migrationFinished(status));
    Orchestrator orchestrator = new Orchestrator(dataSource, clock,
        accountId -> accounts.resolveForOrchestrator(java.util.UUID.fromString(accountId)),
        CloudPlugins.load(OrchestratorConfiguration.class.getClassLoader()), settings, mirror);
    mirror.attach(orchestrator);
    return orchestrator;
  }

  /**
   * The bundle store: the S3-compatible bucket of {@code ferry.orchestrator.s3.*} when its bucket
   * is set (checked here, so a wrong bucket or credential stops the server at start with the
   * reason), otherwise the local folder {@code ferry.orchestrator.store}.
   */
  public static ChunkStore chunkStore(OrchestratorProperties properties, Path home, Clock clock) throws IOException {
    OrchestratorProperties.S3 s3 = properties.s3();
    if (s3 == null || !s3.configured()) {
      Path store = properties.store() != null ? properties.store() : home.resolve("store");
      return new LocalChunkStore(store, clock);
    }
    // An empty endpoint (an unset environment variable) means AWS's own.
    java.net.URI endpoint = s3.endpoint() == null || s3.endpoint().toString().isBlank() ? null : s3.endpoint();
    S3ChunkStore store = new S3ChunkStore(
        new S3StoreConfig(s3.bucket(), s3.prefix(), endpoint, s3.region(), s3.pathStyle(), null, null));
    try {
      store.listManifests();
    } catch (IOException | RuntimeException e) {
      store.close();
      throw new IllegalStateException("the bundle store " + store.describe() + " cannot be used: " + e.getMessage(), e);
    }
    return store;
  }

  /** Starts the workers after every singleton (Flyway included) is ready, stops them first. */
  @Bean
  @ConditionalOnProperty(prefix = "ferry.orchestrator", name = "enabled", havingValue = "true")
  SmartLifecycle orchestratorWorkers(Orchestrator orchestrator) {
    return new SmartLifecycle() {
      private volatile boolean running;

      @Override
      public void start() {
        orchestrator.start();
        running = true;
      }

      @Override
      public void stop() {
        orchestrator.close();
        running = false;
      }

      @Override
      public boolean isRunning() {
        return running;
      }
    };
  }

  @Bean
  @ConditionalOnMissingBean(MigrationOrchestrator.class)
  MigrationOrchestrator migrationOrchestrator() {
    return new RecordingMigrationOrchestrator();
  }
}
