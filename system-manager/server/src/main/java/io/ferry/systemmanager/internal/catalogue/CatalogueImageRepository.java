package io.ferry.systemmanager.internal.catalogue;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;

/**
 * The cached catalogue. Callers pass an account they loaded through the tenant scope, so every
 * query here is already limited to the caller's tenant.
 */
public interface CatalogueImageRepository extends JpaRepository<CatalogueImage, UUID> {

  List<CatalogueImage> findByCloudAccountIdOrderByNameAscImageIdAsc(UUID cloudAccountId);

  Optional<CatalogueImage> findByCloudAccountIdAndImageId(UUID cloudAccountId, String imageId);

  @Modifying
  @Query("delete from CatalogueImage i where i.cloudAccountId = :accountId")
  void deleteByCloudAccount(UUID accountId);
}
