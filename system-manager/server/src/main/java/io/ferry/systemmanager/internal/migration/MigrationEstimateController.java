package io.ferry.systemmanager.internal.migration;

import io.ferry.standardization.spi.CloudPluginFactory;
import io.ferry.standardization.spi.ConfigProperty;
import io.ferry.systemmanager.internal.account.CloudAccount;
import io.ferry.systemmanager.internal.account.CloudAccountService;
import io.ferry.systemmanager.internal.catalogue.CatalogueImage;
import io.ferry.systemmanager.internal.catalogue.CatalogueImageRepository;
import io.ferry.systemmanager.internal.catalogue.CatalogueService;
import io.ferry.systemmanager.internal.tenant.TenantScope;
import io.ferry.systemmanager.internal.web.ApiException;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * What a migration would do before it starts: the data to move, the source and target formats and
 * cloud layers, and how long it would take at the throughput of the tenant's past runs (the
 * source images' sizes over the durations of the latest succeeded migrations).
 */
@RestController
public class MigrationEstimateController {

  /** How many past migrations the throughput is computed from. */
  static final int HISTORY = 50;

  /**
   * The preview of a migration.
   *
   * @param bytesToMove the source image's virtual size: an upper bound, zero blocks are not moved
   * @param throughputBytesPerSecond bytes per second of past runs, null without history
   * @param estimatedSeconds the expected duration, null without history
   * @param basedOnMigrations how many past migrations the throughput comes from
   */
  public record EstimateView(
      String sourceImageId, long bytesToMove, String sourceFormat, String sourceLayer, String targetPluginId,
      String targetFormat, String targetLayer, Double throughputBytesPerSecond, Long estimatedSeconds,
      int basedOnMigrations) {}

  /** Bytes and seconds of past runs. */
  record Throughput(long bytes, double seconds, int migrations) {
    Double bytesPerSecond() {
      return migrations == 0 || seconds <= 0 ? null : bytes / seconds;
    }
  }

  private final CloudAccountService accounts;
  private final CatalogueService catalogue;
  private final CatalogueImageRepository images;
  private final MigrationRepository migrations;
  private final TenantScope scope;
  private final TransactionTemplate transactions;

  public MigrationEstimateController(
      CloudAccountService accounts, CatalogueService catalogue, CatalogueImageRepository images,
      MigrationRepository migrations, TenantScope scope, TransactionTemplate transactions) {
    this.accounts = accounts;
    this.catalogue = catalogue;
    this.images = images;
    this.migrations = migrations;
    this.scope = scope;
    this.transactions = transactions;
  }

  @GetMapping("/api/v1/migration-estimate")
  public EstimateView estimate(
      @RequestParam UUID sourceAccountId,
      @RequestParam @NotBlank @Size(max = 500) String sourceImageId,
      @RequestParam UUID targetAccountId) {
    CloudAccount target = transactions.execute(status -> accounts.require(targetAccountId));
    CatalogueImage image = catalogue.images(sourceAccountId).stream()
        .filter(candidate -> candidate.imageId().equals(sourceImageId))
        .findFirst()
        .orElseThrow(() -> ApiException.invalidField("sourceImageId", "no such image in the source account's catalogue"));
    CloudPluginFactory targetPlugin = accounts.factory(target.pluginId());
    Throughput throughput = Objects.requireNonNull(transactions.execute(status -> pastThroughput()));
    Double bytesPerSecond = throughput.bytesPerSecond();
    Long seconds = bytesPerSecond == null || bytesPerSecond <= 0
        ? null
        : (long) Math.ceil(image.virtualSize() / bytesPerSecond);
    return new EstimateView(image.imageId(), image.virtualSize(), image.format(), image.cloudLayer(),
        target.pluginId(), setting(target, targetPlugin, "format"), setting(target, targetPlugin, "layer"),
        bytesPerSecond, seconds, throughput.migrations());
  }

  private Throughput pastThroughput() {
    List<Migration> finished = scope.page(migrations, Migration.class,
        (root, query, builder) -> builder.and(
            builder.equal(root.get("state"), MigrationState.SUCCEEDED), builder.isNotNull(root.get("finishedAt"))),
        PageRequest.of(0, HISTORY, Sort.by(Sort.Order.desc("finishedAt")))).getContent();
    long bytes = 0;
    double seconds = 0;
    int counted = 0;
    for (Migration migration : finished) {
      Optional<CatalogueImage> source =
          images.findByCloudAccountIdAndImageId(migration.sourceAccountId(), migration.sourceImageId());
      Instant started = migration.steps().stream()
          .map(MigrationStep::startedAt)
          .filter(Objects::nonNull)
          .min(Comparator.naturalOrder())
          .orElse(migration.createdAt());
      Duration took = Duration.between(started, migration.finishedAt());
      if (source.isEmpty() || took.isNegative() || took.isZero()) {
        continue;
      }
      bytes += source.get().virtualSize();
      seconds += took.toMillis() / 1000.0;
      counted++;
    }
    return new Throughput(bytes, seconds, counted);
  }

  /** The account's setting, else the plugin's default for it, else null. */
  private static String setting(CloudAccount account, CloudPluginFactory plugin, String key) {
    String value = account.settings().get(key);
    if (value != null && !value.isBlank()) {
      return value;
    }
    return plugin.configProperties().stream()
        .filter(property -> property.key().equals(key))
        .map(ConfigProperty::defaultValue)
        .filter(Objects::nonNull)
        .findFirst()
        .orElse(null);
  }
}
