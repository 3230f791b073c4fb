package io.ferry.systemmanager.internal.billing;

import io.ferry.systemmanager.internal.account.CloudAccount;
import io.ferry.systemmanager.internal.account.CloudAccountService;
import io.ferry.systemmanager.internal.catalogue.CatalogueImage;
import io.ferry.systemmanager.internal.catalogue.CatalogueImageRepository;
import io.ferry.systemmanager.internal.catalogue.CatalogueService;
import io.ferry.systemmanager.internal.web.ApiException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The cost of a migration before it starts, from the two accounts' prices. */
@RestController
public class EstimateController {

  /** The migration to price, as it would be created. */
  public record EstimateRequest(
      @NotNull UUID sourceAccountId,
      @NotBlank @Size(max = 500) String sourceImageId,
      @NotNull UUID targetAccountId,
      @Size(max = 50) Map<@NotBlank @Size(max = 100) String, @NotNull @Size(max = 1000) String> options) {}

  private final CloudAccountService accounts;
  private final CatalogueService catalogue;
  private final CatalogueImageRepository images;
  private final CostEstimator estimator;
  private final TransactionTemplate transactions;

  public EstimateController(CloudAccountService accounts, CatalogueService catalogue, CatalogueImageRepository images,
      CostEstimator estimator, TransactionTemplate transactions) {
    this.accounts = accounts;
    this.catalogue = catalogue;
    this.images = images;
    this.estimator = estimator;
    this.transactions = transactions;
  }

  @PostMapping("/api/v1/migrations/estimate")
  public CostEstimate estimate(@Valid @RequestBody EstimateRequest request) {
    CloudAccount source = transactions.execute(status -> accounts.require(request.sourceAccountId()));
    CloudAccount target = transactions.execute(status -> accounts.require(request.targetAccountId()));
    if (!catalogue.contains(source.id(), request.sourceImageId())) {
      throw ApiException.invalidField("sourceImageId", "no such image in the source account's catalogue");
    }
    CatalogueImage image = transactions.execute(status ->
        images.findByCloudAccountIdAndImageId(source.id(), request.sourceImageId()).orElseThrow());
    return estimator.estimate(source, target, image.virtualSize(),
        Objects.requireNonNullElse(request.options(), Map.of()));
  }
}
