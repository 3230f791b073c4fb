package io.ferry.systemmanager.internal.tenant;

import java.util.Optional;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;

/** Users. Outside sign-in and bootstrap, load them through {@link TenantScope}. */
public interface AppUserRepository
    extends JpaRepository<AppUser, UUID>, JpaSpecificationExecutor<AppUser> {

  Optional<AppUser> findByUsername(String username);

  boolean existsByUsername(String username);

  boolean existsByPlatformAdminTrue();
}
