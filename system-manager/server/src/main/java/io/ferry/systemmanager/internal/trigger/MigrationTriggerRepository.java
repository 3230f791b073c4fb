package io.ferry.systemmanager.internal.trigger;

import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;

/** Triggers; requests load them through the tenant scope, the engine by id for the system. */
public interface MigrationTriggerRepository
    extends JpaRepository<MigrationTrigger, UUID>, JpaSpecificationExecutor<MigrationTrigger> {

  /** Whether the tenant has a trigger of that name. */
  boolean existsByTenantIdAndName(UUID tenantId, String name);
}
