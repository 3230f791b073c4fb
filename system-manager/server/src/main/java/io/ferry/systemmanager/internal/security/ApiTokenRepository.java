package io.ferry.systemmanager.internal.security;

import java.util.Optional;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;

/** API tokens. Outside authentication, load them through the tenant scope. */
public interface ApiTokenRepository extends JpaRepository<ApiToken, UUID>, JpaSpecificationExecutor<ApiToken> {

  Optional<ApiToken> findByTokenHash(String tokenHash);
}
