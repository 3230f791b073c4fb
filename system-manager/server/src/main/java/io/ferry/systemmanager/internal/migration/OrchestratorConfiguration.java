package io.ferry.systemmanager.internal.migration;

import io.ferry.orchestrator.MigrationOrchestrator;
import io.ferry.orchestrator.RecordingMigrationOrchestrator;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The orchestrator migrations are handed to. Until the workflow lands, the recording stand-in
 * keeps them queued.
 */
@Configuration(proxyBeanMethods = false)
public class OrchestratorConfiguration {

  @Bean
  @ConditionalOnMissingBean(MigrationOrchestrator.class)
  MigrationOrchestrator migrationOrchestrator() {
    return new RecordingMigrationOrchestrator();
  }
}
