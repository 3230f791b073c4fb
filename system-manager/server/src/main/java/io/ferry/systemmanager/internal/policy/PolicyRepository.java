package io.ferry.systemmanager.internal.policy;

import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;

/** Policies; load them through the tenant scope. */
public interface PolicyRepository extends JpaRepository<Policy, UUID>, JpaSpecificationExecutor<Policy> {

  /** Whether the tenant has a policy of that name. */
  boolean existsByTenantIdAndName(UUID tenantId, String name);
}
