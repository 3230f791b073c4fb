package io.ferry.systemmanager.internal.migration;

import io.ferry.orchestrator.AgentChannel;
import io.ferry.orchestrator.HelperModeSettings;
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
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The orchestrator migrations are handed to: the real workflow when {@code ferry.orchestrator.enabled}
 * (its workers start once the context, and so Flyway, is ready; its events are mirrored into the
 * migration rows), otherwise the recording stand-in that keeps migrations queued.
 */
@Configuration(proxyBeanMethods = false)
public class OrchestratorConfiguration {

  /** The system property plugin-local reads its helpers' agent jar from. */
  static final String LOCAL_AGENT_JAR_PROPERTY = "ferry.agent.jar";

  @Bean(destroyMethod = "close")
  @ConditionalOnProperty(prefix = "ferry.orchestrator", name = "enabled", havingValue = "true")
  Orchestrator orchestrator(DataSource dataSource, Clock clock, CloudAccountService accounts,
      OrchestratorProperties properties, FerryProperties ferry, JdbcTemplate jdbc, ObjectProvider<CostRecorder> costs,
      Environment environment) throws IOException {
    Path home = ferry.home().toAbsolutePath();
    Path work = properties.workDirectory() != null ? properties.workDirectory() : home.resolve("work");
    OrchestratorSettings settings = OrchestratorSettings
        .defaults(properties.agentJar().toAbsolutePath(), work, chunkStore(properties, home, clock))
        .withWorkerThreads(properties.workers())
        .withHelperMode(new HelperModeSettings(() -> controlPlane(properties, environment),
            properties.agentTokenLifetime(), properties.helperSilenceLimit(), properties.helperPollInterval()));
    // Local cloud accounts without their own agentJar setting give helpers this server's agent.
    if (System.getProperty(LOCAL_AGENT_JAR_PROPERTY) == null) {
      System.setProperty(LOCAL_AGENT_JAR_PROPERTY, properties.agentJar().toAbsolutePath().toString());
    }
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

  /**
   * The URL helpers call: {@code ferry.orchestrator.control-plane-url}, else this server on the
   * loopback address and the port it listens on (known once it listens).
   */
  static URI controlPlane(OrchestratorProperties properties, Environment environment) {
    if (properties.controlPlaneUrl() != null) {
      return properties.controlPlaneUrl();
    }
    String port = environment.getProperty("local.server.port", environment.getProperty("server.port", "8080"));
    return "0".equals(port) ? null : URI.create("http://127.0.0.1:" + port);
  }

  /**
   * The helper-mode channel the agent endpoints serve: the orchestrator's (with its bundle store),
   * or, without the in-process workflow, one on the same tables that serves no bundles.
   */
  @Bean
  AgentChannel agentChannel(ObjectProvider<Orchestrator> orchestrator, DataSource dataSource, Clock clock) {
    Orchestrator workflow = orchestrator.getIfAvailable();
    return workflow != null ? workflow.agentChannel() : new AgentChannel(dataSource, clock, null);
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
