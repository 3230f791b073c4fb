package io.ferry.systemmanager.internal.migration;

import io.ferry.orchestrator.MigrationOrchestrator;
import io.ferry.orchestrator.Orchestrator;
import io.ferry.orchestrator.OrchestratorSettings;
import io.ferry.orchestrator.RecordingMigrationOrchestrator;
import io.ferry.standardization.bundle.LocalChunkStore;
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
    Path store = properties.store() != null ? properties.store() : home.resolve("store");
    OrchestratorSettings settings = OrchestratorSettings
        .defaults(properties.agentJar().toAbsolutePath(), work, new LocalChunkStore(store, clock))
        .withWorkerThreads(properties.workers());
    // The actual cost is recorded when a job ends (lazily: the recorder needs this orchestrator).
    MigrationMirror mirror = new MigrationMirror(jdbc, clock, status -> costs.getObject().migrationFinished(status));
    Orchestrator orchestrator = new Orchestrator(dataSource, clock,
        accountId -> accounts.resolveForOrchestrator(java.util.UUID.fromString(accountId)),
        CloudPlugins.load(OrchestratorConfiguration.class.getClassLoader()), settings, mirror);
    mirror.attach(orchestrator);
    return orchestrator;
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
