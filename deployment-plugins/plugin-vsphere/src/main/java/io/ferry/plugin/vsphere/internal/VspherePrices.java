package io.ferry.plugin.vsphere.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.spi.PriceSheet;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Properties;

/**
 * The default prices of a vSphere account, read from {@code vsphere-prices.properties} beside this
 * class (data, not code; admins override prices in the control plane). A private cloud has no
 * egress fee; the other defaults are typical internal chargeback rates.
 */
final class VspherePrices {

  private VspherePrices() {}

  static PriceSheet defaults() {
    Properties properties = new Properties();
    try (InputStream in = VspherePrices.class.getResourceAsStream("vsphere-prices.properties")) {
      if (in == null) {
        throw new FerryException(ErrorCode.INTERNAL, "vsphere-prices.properties is missing from the plugin");
      }
      properties.load(in);
    } catch (IOException e) {
      throw new FerryException(ErrorCode.INTERNAL, "cannot read vsphere-prices.properties", e);
    }
    return new PriceSheet(
        price(properties, "egressPerGb"),
        price(properties, "helperVmPerHour"),
        price(properties, "imageStoragePerGbMonth"),
        price(properties, "objectStoragePerGbMonth"),
        Map.of());
  }

  private static BigDecimal price(Properties properties, String key) {
    String value = properties.getProperty(key);
    if (value == null) {
      throw new FerryException(ErrorCode.INTERNAL, "vsphere-prices.properties lacks " + key);
    }
    return new BigDecimal(value.trim());
  }
}
