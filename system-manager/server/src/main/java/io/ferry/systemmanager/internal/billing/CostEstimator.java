package io.ferry.systemmanager.internal.billing;

import io.ferry.orchestrator.StepName;
import io.ferry.standardization.spi.Capability;
import io.ferry.standardization.spi.PriceSheet;
import io.ferry.systemmanager.internal.account.CloudAccount;
import io.ferry.systemmanager.internal.account.CloudAccountService;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Service;

/**
 * Prices a migration from the two accounts' price sheets: the source's egress for the bytes to
 * move, helper VM hours at the target's price when the target has no direct upload (or the
 * options ask for {@code mode=helper}), the registered image's storage in the target for a month,
 * and the bundle's storage for a month at the source account's object storage price.
 */
@Service
public class CostEstimator {

  /** Bytes per GB in prices. */
  static final BigDecimal BYTES_PER_GB = BigDecimal.valueOf(1_000_000_000L);
  /** The helper's assumed throughput for estimates: 100 MB/s, 360 GB per hour. */
  static final long HELPER_BYTES_PER_HOUR = 360_000_000_000L;
  /** The steps a helper VM runs for (helper mode). */
  static final Set<StepName> HELPER_STEPS =
      Set.of(StepName.PREPARE_TARGET, StepName.RESTORE, StepName.INJECT, StepName.UPLOAD);

  private final PriceSheets prices;
  private final CloudAccountService accounts;

  public CostEstimator(PriceSheets prices, CloudAccountService accounts) {
    this.prices = prices;
    this.accounts = accounts;
  }

  /** The estimate of moving {@code bytes} from {@code source} to {@code target}. */
  public CostEstimate estimate(CloudAccount source, CloudAccount target, long bytes, Map<String, String> options) {
    boolean helperMode = helperMode(target, options);
    long hours = helperMode ? Math.max(1, (Math.max(bytes, 0) + HELPER_BYTES_PER_HOUR - 1) / HELPER_BYTES_PER_HOUR) : 0;
    return price(source.pluginId(), target.pluginId(), prices.prices(source).sheet(), prices.prices(target).sheet(),
        bytes, helperMode, BigDecimal.valueOf(hours), true, true);
  }

  /** Whether a migration to the target runs a helper VM. */
  public boolean helperMode(CloudAccount target, Map<String, String> options) {
    if (options != null && "helper".equals(options.get("mode"))) {
      return true;
    }
    return !accounts.factory(target.pluginId()).capabilities().contains(Capability.DIRECT_UPLOAD);
  }

  /**
   * The cost for the given bytes and helper hours (also the actual cost: real bytes, real hours;
   * storage only when an image and a bundle were made, egress only when data left the source).
   */
  static CostEstimate price(String sourcePlugin, String targetPlugin, PriceSheet source, PriceSheet target,
      long bytes, boolean helperMode, BigDecimal helperHours, boolean dataLeft, boolean imageMade) {
    BigDecimal gigabytes = BigDecimal.valueOf(Math.max(bytes, 0)).divide(BYTES_PER_GB, 9, RoundingMode.HALF_UP);
    BigDecimal egress = dataLeft ? money(source.egressPerGb().multiply(gigabytes)) : money(BigDecimal.ZERO);
    BigDecimal helper = money(helperMode ? target.helperVmPerHour().multiply(helperHours) : BigDecimal.ZERO);
    BigDecimal image = money(imageMade ? target.imageStoragePerGbMonth().multiply(gigabytes) : BigDecimal.ZERO);
    BigDecimal bundle = money(imageMade ? source.objectStoragePerGbMonth().multiply(gigabytes) : BigDecimal.ZERO);
    long wholeHours = helperHours.setScale(0, RoundingMode.CEILING).longValue();
    return new CostEstimate(sourcePlugin, targetPlugin, bytes, helperMode, helperMode ? wholeHours : 0, egress, helper,
        image, bundle, egress.add(helper).add(image).add(bundle));
  }

  /**
   * The estimated monthly cost of running an image of {@code bytes} in a cloud: a VM all month
   * (730 hours at the sheet's {@code vmPerHour} extra price, else its helper VM price) plus the
   * image's storage.
   */
  public static BigDecimal monthlyRunningCost(PriceSheet sheet, long bytes) {
    BigDecimal gigabytes = BigDecimal.valueOf(Math.max(bytes, 0)).divide(BYTES_PER_GB, 9, RoundingMode.HALF_UP);
    BigDecimal vmPerHour = sheet.extra().getOrDefault("vmPerHour", sheet.helperVmPerHour());
    return money(vmPerHour.multiply(BigDecimal.valueOf(730)).add(sheet.imageStoragePerGbMonth().multiply(gigabytes)));
  }

  static BigDecimal money(BigDecimal value) {
    return value.setScale(4, RoundingMode.HALF_UP);
  }
}
