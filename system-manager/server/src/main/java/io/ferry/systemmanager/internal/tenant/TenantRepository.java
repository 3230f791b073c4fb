package io.ferry.systemmanager.internal.tenant;

import java.util.Optional;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;

/** Tenants. Outside bootstrap, load them through {@link TenantScope}. */
public interface TenantRepository extends JpaRepository<Tenant, UUID>, JpaSpecificationExecutor<Tenant> {

  Optional<Tenant> findByName(String name);

  boolean existsByName(String name);
}
