package io.ferry.systemmanager.internal.billing;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.standardization.spi.PriceSheet;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CostEstimatorTest {

  private static final PriceSheet SOURCE = new PriceSheet(new BigDecimal("0.09"), new BigDecimal("0.5"),
      new BigDecimal("0.05"), new BigDecimal("0.023"), Map.of());
  private static final PriceSheet TARGET = new PriceSheet(new BigDecimal("0.12"), new BigDecimal("0.10"),
      new BigDecimal("0.04"), new BigDecimal("0.02"), Map.of("vmPerHour", new BigDecimal("0.2")));

  @Test
  void pricesEgressAtTheSourceHelperAndImageAtTheTargetBundleAtTheSourcesObjectStorage() {
    CostEstimate cost = CostEstimator.price("aws", "vsphere", SOURCE, TARGET, 10_000_000_000L, true,
        new BigDecimal("2.5"), true, true);

    assertThat(cost.egress()).isEqualByComparingTo("0.9");
    assertThat(cost.helper()).isEqualByComparingTo("0.25");
    assertThat(cost.imageStoragePerMonth()).isEqualByComparingTo("0.4");
    assertThat(cost.bundleStoragePerMonth()).isEqualByComparingTo("0.23");
    assertThat(cost.total()).isEqualByComparingTo("1.78");
    assertThat(cost.helperHours()).isEqualTo(3);
  }

  @Test
  void directModeHasNoHelperAndAFailureBeforeExportCostsNothing() {
    CostEstimate direct = CostEstimator.price("aws", "local", SOURCE, TARGET, 1_000_000_000L, false,
        BigDecimal.TEN, true, true);
    CostEstimate failedEarly = CostEstimator.price("aws", "local", SOURCE, TARGET, 1_000_000_000L, true,
        BigDecimal.ZERO, false, false);

    assertThat(direct.helper()).isEqualByComparingTo("0");
    assertThat(direct.helperHours()).isZero();
    assertThat(failedEarly.total()).isEqualByComparingTo("0");
  }

  @Test
  void monthlyRunningCostUsesTheVmPriceWhenTheSheetHasOne() {
    assertThat(CostEstimator.monthlyRunningCost(TARGET, 10_000_000_000L)).isEqualByComparingTo("146.4");
    assertThat(CostEstimator.monthlyRunningCost(SOURCE, 0)).isEqualByComparingTo("365");
  }
}
