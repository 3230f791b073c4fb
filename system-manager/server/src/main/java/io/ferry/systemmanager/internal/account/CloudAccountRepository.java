package io.ferry.systemmanager.internal.account;

import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;

/** Cloud accounts; load them through the tenant scope. */
public interface CloudAccountRepository
    extends JpaRepository<CloudAccount, UUID>, JpaSpecificationExecutor<CloudAccount> {

  boolean existsByTenantIdAndName(UUID tenantId, String name);

  boolean existsByTenantIdAndPluginId(UUID tenantId, String pluginId);
}
