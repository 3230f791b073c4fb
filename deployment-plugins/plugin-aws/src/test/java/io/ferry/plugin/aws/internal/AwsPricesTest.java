package io.ferry.plugin.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.standardization.spi.PriceSheet;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class AwsPricesTest {

  @Test
  void defaultPricesAreTheDocumentedUsEast1ListPrices() {
    PriceSheet prices = AwsPrices.defaults();
    assertThat(prices.egressPerGb()).isEqualByComparingTo("0.09");
    assertThat(prices.helperVmPerHour()).isEqualByComparingTo("0.0208");
    assertThat(prices.imageStoragePerGbMonth()).isEqualByComparingTo("0.05");
    assertThat(prices.objectStoragePerGbMonth()).isEqualByComparingTo("0.023");
    assertThat(prices.extra())
        .containsKeys("ebsDirectPutSnapshotBlockPer1000", "ebsDirectGetSnapshotBlockPer1000", "gp3VolumePerGbMonth")
        .allSatisfy((name, price) -> assertThat(price).isGreaterThanOrEqualTo(BigDecimal.ZERO));
  }
}
