package io.ferry.systemmanager.internal.catalogue;

import io.ferry.standardization.spi.Capability;
import io.ferry.standardization.spi.CloudPlugin;
import io.ferry.standardization.spi.ImageInfo;
import io.ferry.systemmanager.internal.account.CloudAccount;
import io.ferry.systemmanager.internal.account.CloudAccountService;
import io.ferry.systemmanager.internal.web.ApiErrorCode;
import io.ferry.systemmanager.internal.web.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Each account's image catalogue, filled from the plugin's {@code listImages} and cached. */
@Service
public class CatalogueService {

  private static final Logger LOG = LoggerFactory.getLogger(CatalogueService.class);

  private final CatalogueImageRepository images;
  private final CloudAccountService accounts;
  private final Clock clock;

  public CatalogueService(CatalogueImageRepository images, CloudAccountService accounts, Clock clock) {
    this.images = images;
    this.accounts = accounts;
    this.clock = clock;
  }

  /** The cached catalogue; filled on first use. */
  @Transactional
  public List<CatalogueImage> images(UUID accountId) {
    CloudAccount account = accounts.require(accountId);
    if (account.imagesRefreshedAt() == null) {
      refresh(account);
    }
    return images.findByCloudAccountIdOrderByNameAscImageIdAsc(account.id());
  }

  /** Lists the account's images again through its plugin and replaces the cache. */
  @Transactional
  public List<CatalogueImage> refresh(UUID accountId) {
    CloudAccount account = accounts.require(accountId);
    refresh(account);
    return images.findByCloudAccountIdOrderByNameAscImageIdAsc(account.id());
  }

  /** The image from the account's catalogue, refreshing once if it is not cached. */
  @Transactional
  public Optional<CatalogueImage> find(CloudAccount account, String imageId) {
    Optional<CatalogueImage> cached = images.findByCloudAccountIdAndImageId(account.id(), imageId);
    if (cached.isPresent() || !lists(account)) {
      return cached;
    }
    refresh(account);
    return images.findByCloudAccountIdAndImageId(account.id(), imageId);
  }

  private boolean lists(CloudAccount account) {
    return accounts.factory(account.pluginId()).capabilities().contains(Capability.LIST_IMAGES);
  }

  private void refresh(CloudAccount account) {
    if (!lists(account)) {
      throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, ApiErrorCode.CLOUD_ACCOUNT_REJECTED,
          "plugin " + account.pluginId() + " cannot list images");
    }
    List<ImageInfo> listed;
    try (CloudPlugin plugin = accounts.open(account)) {
      listed = plugin.listImages();
    }
    Instant now = clock.instant();
    images.deleteByCloudAccount(account.id());
    images.flush();
    Set<String> seen = new HashSet<>();
    for (ImageInfo image : listed) {
      if (seen.add(image.id())) {
        images.save(new CatalogueImage(account.tenantId(), account.id(), image, now));
      }
    }
    account.imagesRefreshed(now);
    LOG.info("catalogue of cloud account {} refreshed: {} images", account.id(), seen.size());
  }
}
