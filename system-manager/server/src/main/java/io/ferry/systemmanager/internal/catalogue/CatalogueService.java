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
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Each account's image catalogue, filled from the plugin's {@code listImages} and cached. The
 * plugin is called outside any database transaction; the cache is replaced in one transaction.
 */
@Service
public class CatalogueService {

  private static final Logger LOG = LoggerFactory.getLogger(CatalogueService.class);

  private final CatalogueImageRepository images;
  private final CloudAccountService accounts;
  private final TransactionTemplate transactions;
  private final Clock clock;

  public CatalogueService(
      CatalogueImageRepository images, CloudAccountService accounts, TransactionTemplate transactions, Clock clock) {
    this.images = images;
    this.accounts = accounts;
    this.transactions = transactions;
    this.clock = clock;
  }

  /** The cached catalogue; filled on first use. */
  public List<CatalogueImage> images(UUID accountId) {
    CloudAccount account = read(accountId);
    if (account.imagesRefreshedAt() == null) {
      return refresh(accountId);
    }
    return transactions.execute(status -> images.findByCloudAccountIdOrderByNameAscImageIdAsc(accountId));
  }

  /** Lists the account's images again through its plugin and replaces the cache. */
  public List<CatalogueImage> refresh(UUID accountId) {
    CloudAccount account = read(accountId);
    if (!lists(account)) {
      throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, ApiErrorCode.CLOUD_ACCOUNT_REJECTED,
          "plugin " + account.pluginId() + " cannot list images");
    }
    List<ImageInfo> listed;
    try (CloudPlugin plugin = accounts.open(account)) {
      listed = plugin.listImages();
    }
    Instant now = clock.instant();
    List<CatalogueImage> refreshed = transactions.execute(status -> {
      CloudAccount current = accounts.require(accountId);
      images.deleteByCloudAccount(accountId);
      images.flush();
      Set<String> seen = new HashSet<>();
      for (ImageInfo image : listed) {
        if (seen.add(image.id())) {
          images.save(new CatalogueImage(current.tenantId(), accountId, image, now));
        }
      }
      current.imagesRefreshed(now);
      return images.findByCloudAccountIdOrderByNameAscImageIdAsc(accountId);
    });
    LOG.info("catalogue of cloud account {} refreshed: {} images", accountId, refreshed.size());
    return refreshed;
  }

  /** Whether the account's catalogue holds the image, refreshing once if it is not cached. */
  public boolean contains(UUID accountId, String imageId) {
    if (cached(accountId, imageId)) {
      return true;
    }
    if (!lists(read(accountId))) {
      return false;
    }
    refresh(accountId);
    return cached(accountId, imageId);
  }

  private boolean cached(UUID accountId, String imageId) {
    return transactions.execute(status -> images.findByCloudAccountIdAndImageId(accountId, imageId).isPresent());
  }

  private CloudAccount read(UUID accountId) {
    return transactions.execute(status -> accounts.require(accountId));
  }

  private boolean lists(CloudAccount account) {
    return accounts.factory(account.pluginId()).capabilities().contains(Capability.LIST_IMAGES);
  }
}
