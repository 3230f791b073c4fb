package io.ferry.systemmanager.internal.migration;

import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;

/** Migrations; load them through the tenant scope. */
public interface MigrationRepository extends JpaRepository<Migration, UUID>, JpaSpecificationExecutor<Migration> {}
