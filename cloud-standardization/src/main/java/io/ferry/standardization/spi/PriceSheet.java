package io.ferry.standardization.spi;

import java.math.BigDecimal;
import java.util.Map;

/**
 * A plugin's prices as data, in US dollars, which admins may override.
 *
 * @param egressPerGb data leaving the cloud, per GB
 * @param helperVmPerHour a helper VM, per hour
 * @param imageStoragePerGbMonth image or snapshot storage, per GB-month
 * @param objectStoragePerGbMonth object storage for bundles, per GB-month
 * @param extra further named prices
 */
public record PriceSheet(
    BigDecimal egressPerGb,
    BigDecimal helperVmPerHour,
    BigDecimal imageStoragePerGbMonth,
    BigDecimal objectStoragePerGbMonth,
    Map<String, BigDecimal> extra) {

  public PriceSheet {
    extra = Map.copyOf(extra == null ? Map.of() : extra);
  }

  /** A sheet where everything is free (the local cloud). */
  public static PriceSheet free() {
    return new PriceSheet(BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, Map.of());
  }
}
