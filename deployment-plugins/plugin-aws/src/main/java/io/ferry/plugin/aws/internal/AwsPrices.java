package io.ferry.plugin.aws.internal;

import io.ferry.standardization.spi.PriceSheet;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The AWS price sheet, read from the data file {@code aws-prices-us-east-1.properties} next to
 * this class: public on-demand list prices of us-east-1 in US dollars. Admins override them in the
 * control plane; the plugin only publishes the defaults.
 */
public final class AwsPrices {

  /** The resource holding the default prices. */
  public static final String RESOURCE = "aws-prices-us-east-1.properties";

  private AwsPrices() {}

  /** The default price sheet. */
  public static PriceSheet defaults() {
    Properties properties = new Properties();
    try (InputStream in = AwsPrices.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing price data " + RESOURCE);
      }
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read price data " + RESOURCE, e);
    }
    Map<String, BigDecimal> extra = new TreeMap<>();
    for (String key : properties.stringPropertyNames()) {
      if (key.startsWith("extra.")) {
        extra.put(key.substring("extra.".length()), price(properties, key));
      }
    }
    return new PriceSheet(
        price(properties, "egressPerGb"),
        price(properties, "helperVmPerHour"),
        price(properties, "imageStoragePerGbMonth"),
        price(properties, "objectStoragePerGbMonth"),
        extra);
  }

  private static BigDecimal price(Properties properties, String key) {
    String value = properties.getProperty(key);
    if (value == null) {
      throw new IllegalStateException("price data " + RESOURCE + " lacks " + key);
    }
    BigDecimal price = new BigDecimal(value.trim());
    if (price.signum() < 0) {
      throw new IllegalStateException("price " + key + " in " + RESOURCE + " is negative");
    }
    return price;
  }
}
