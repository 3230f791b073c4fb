package io.ferry.systemmanager.internal.billing;

import io.ferry.standardization.spi.PriceSheet;
import io.ferry.systemmanager.internal.account.CloudAccount;
import io.ferry.systemmanager.internal.account.CloudAccountService;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * An account's prices: the plugin's published sheet (the documented defaults), which a tenant
 * admin may override per account, or reset to the plugin's.
 */
@RestController
public class PriceController {

  /** A price sheet as the API shows and takes it, US dollars. */
  public record PriceView(
      @NotNull @DecimalMin("0") @Digits(integer = 8, fraction = 6) BigDecimal egressPerGb,
      @NotNull @DecimalMin("0") @Digits(integer = 8, fraction = 6) BigDecimal helperVmPerHour,
      @NotNull @DecimalMin("0") @Digits(integer = 8, fraction = 6) BigDecimal imageStoragePerGbMonth,
      @NotNull @DecimalMin("0") @Digits(integer = 8, fraction = 6) BigDecimal objectStoragePerGbMonth,
      @Size(max = 20) Map<@Size(max = 50) String, @NotNull @DecimalMin("0") BigDecimal> extra,
      String source) {
    static PriceView of(PriceSheets.Prices prices) {
      PriceSheet sheet = prices.sheet();
      return new PriceView(sheet.egressPerGb(), sheet.helperVmPerHour(), sheet.imageStoragePerGbMonth(),
          sheet.objectStoragePerGbMonth(), sheet.extra(), prices.source());
    }
  }

  private final CloudAccountService accounts;
  private final PriceSheets prices;
  private final TransactionTemplate transactions;

  public PriceController(CloudAccountService accounts, PriceSheets prices, TransactionTemplate transactions) {
    this.accounts = accounts;
    this.prices = prices;
    this.transactions = transactions;
  }

  @GetMapping("/api/v1/cloud-accounts/{id}/prices")
  public PriceView get(@PathVariable UUID id) {
    return PriceView.of(prices.prices(account(id)));
  }

  @PutMapping("/api/v1/cloud-accounts/{id}/prices")
  public PriceView put(@PathVariable UUID id, @Valid @RequestBody PriceView body) {
    CloudAccount account = account(id);
    prices.override(account, new PriceSheet(body.egressPerGb(), body.helperVmPerHour(), body.imageStoragePerGbMonth(),
        body.objectStoragePerGbMonth(), Objects.requireNonNullElse(body.extra(), Map.of())));
    return PriceView.of(prices.prices(account));
  }

  @DeleteMapping("/api/v1/cloud-accounts/{id}/prices")
  public ResponseEntity<Void> reset(@PathVariable UUID id) {
    prices.removeOverride(account(id));
    return ResponseEntity.noContent().build();
  }

  private CloudAccount account(UUID id) {
    return transactions.execute(status -> accounts.require(id));
  }
}
