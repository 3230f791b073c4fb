package io.ferry.systemmanager.internal.policy;

import io.ferry.systemmanager.internal.account.CloudAccount;
import io.ferry.systemmanager.internal.billing.Billing;
import io.ferry.systemmanager.internal.billing.CostEstimate;
import io.ferry.systemmanager.internal.billing.CostEstimator;
import io.ferry.systemmanager.internal.billing.MigrationLedger;
import io.ferry.systemmanager.internal.catalogue.CatalogueImage;
import io.ferry.systemmanager.internal.catalogue.CatalogueImageRepository;
import io.ferry.systemmanager.internal.migration.Migration;
import io.ferry.systemmanager.internal.security.FerryPrincipal;
import io.ferry.systemmanager.internal.tenant.TenantScope;
import io.ferry.systemmanager.internal.web.ApiException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The one evaluation every migration request passes, manual or started by a trigger, before it
 * is handed to the orchestrator: access (accounts, regions), limits (image size, concurrent
 * migrations, the month's budget) and approval. {@link #prepare} prices the request outside any
 * transaction (plugins publish the prices); {@link #admit} decides inside the transaction that
 * stores the migration, holding a per-tenant lock so that concurrent requests cannot together
 * pass a limit that each alone would not. A refusal names the policy and the rule.
 */
@Service
public class MigrationAdmission {

  /** A priced request. */
  public record Prepared(CloudAccount source, CloudAccount target, String sourceImageId, long imageBytes,
      CostEstimate estimate) {}

  /**
   * The outcome of an admitted request.
   *
   * @param approvalPolicy the APPROVAL policy the migration waits for, or null to run at once
   */
  public record Decision(String approvalPolicy) {
    public boolean needsApproval() {
      return approvalPolicy != null;
    }
  }

  private final PolicyRepository policies;
  private final CatalogueImageRepository images;
  private final CostEstimator estimator;
  private final Billing billing;
  private final MigrationLedger ledger;
  private final TenantScope scope;
  private final JdbcTemplate jdbc;
  private final TransactionTemplate transactions;
  private final Clock clock;

  public MigrationAdmission(PolicyRepository policies, CatalogueImageRepository images, CostEstimator estimator,
      Billing billing, MigrationLedger ledger, TenantScope scope, JdbcTemplate jdbc, TransactionTemplate transactions,
      Clock clock) {
    this.policies = policies;
    this.images = images;
    this.estimator = estimator;
    this.billing = billing;
    this.ledger = ledger;
    this.scope = scope;
    this.jdbc = jdbc;
    this.transactions = transactions;
    this.clock = clock;
  }

  /** Prices a request whose source image is in the source's catalogue; call outside transactions. */
  public Prepared prepare(CloudAccount source, CloudAccount target, String sourceImageId, Map<String, String> options) {
    CatalogueImage image = transactions.execute(status ->
        images.findByCloudAccountIdAndImageId(source.id(), sourceImageId).orElseThrow(() ->
            ApiException.invalidField("sourceImageId", "no such image in the source account's catalogue")));
    long bytes = Math.max(0, image.virtualSize());
    return new Prepared(source, target, sourceImageId, bytes, estimator.estimate(source, target, bytes, options));
  }

  /**
   * Evaluates the request of {@code requester} against the tenant's policies, inside the
   * transaction that stores the migration.
   *
   * @throws PolicyRefusedException naming the policy, the rule and the numbers
   */
  public Decision admit(Prepared request, FerryPrincipal requester) {
    UUID tenantId = requester.tenantId();
    jdbc.query("select pg_advisory_xact_lock(?)", row -> {},
        tenantId.getMostSignificantBits() ^ tenantId.getLeastSignificantBits());
    List<Policy> applicable = scope.list(policies, Policy.class, (root, query, builder) -> builder.conjunction())
        .stream()
        .filter(policy -> policy.appliesTo(requester.username(), requester.role()))
        .sorted(Comparator.comparing(Policy::name))
        .toList();
    checkAccess(request, applicable);
    for (Policy policy : applicable) {
      if (policy.kind() == PolicyKind.LIMIT) {
        checkLimits(request, policy, tenantId);
      }
    }
    for (Policy policy : applicable) {
      if (policy.kind() == PolicyKind.APPROVAL && matchesAccounts(policy, request)
          && (policy.approvalMinCost() == null || request.estimate().total().compareTo(policy.approvalMinCost()) >= 0)) {
        return new Decision(policy.name());
      }
    }
    return new Decision(null);
  }

  /** Records the admitted migration's estimate and origin (same transaction as {@link #admit}). */
  public void record(Migration migration, Prepared request, Decision decision, UUID triggerId, String triggerOwner) {
    ledger.created(migration.id(), migration.tenantId(), request.estimate(), triggerId, triggerOwner,
        decision.approvalPolicy());
  }

  private static void checkAccess(Prepared request, List<Policy> applicable) {
    List<Policy> access = applicable.stream().filter(policy -> policy.kind() == PolicyKind.ACCESS).toList();
    if (access.isEmpty()) {
      return;
    }
    List<String> reasons = new ArrayList<>();
    for (Policy policy : access) {
      String reason = accessRefusal(policy, request);
      if (reason == null) {
        return;
      }
      reasons.add("'" + policy.name() + "': " + reason);
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("policy", access.get(0).name());
    details.put("policyId", access.get(0).id());
    details.put("policies", access.stream().map(Policy::name).toList());
    details.put("rule", "access");
    throw new PolicyRefusedException("no access policy allows this migration: " + String.join("; ", reasons), details);
  }

  /** Why an ACCESS policy does not allow the request, or null when it does. */
  private static String accessRefusal(Policy policy, Prepared request) {
    if (!policy.sourceAccountIds().isEmpty() && !policy.sourceAccountIds().contains(request.source().id())) {
      return "source account " + request.source().name() + " is not allowed";
    }
    if (!policy.targetAccountIds().isEmpty() && !policy.targetAccountIds().contains(request.target().id())) {
      return "target account " + request.target().name() + " is not allowed";
    }
    if (!policy.regions().isEmpty()) {
      if (!policy.regions().contains(request.source().region())) {
        return "source region " + request.source().region() + " is not allowed";
      }
      if (!policy.regions().contains(request.target().region())) {
        return "target region " + request.target().region() + " is not allowed";
      }
    }
    return null;
  }

  private static boolean matchesAccounts(Policy policy, Prepared request) {
    return (policy.sourceAccountIds().isEmpty() || policy.sourceAccountIds().contains(request.source().id()))
        && (policy.targetAccountIds().isEmpty() || policy.targetAccountIds().contains(request.target().id()));
  }

  private void checkLimits(Prepared request, Policy policy, UUID tenantId) {
    if (policy.maxImageBytes() != null && request.imageBytes() > policy.maxImageBytes()) {
      throw refusal(policy, "maxImageBytes", "the image of " + request.imageBytes() + " bytes exceeds the limit of "
          + policy.maxImageBytes() + " bytes", Map.of("maxImageBytes", policy.maxImageBytes(),
          "imageBytes", request.imageBytes()));
    }
    if (policy.maxConcurrentMigrations() != null) {
      Long active = jdbc.queryForObject("select count(*) from migration where tenant_id = ?"
          + " and state in ('QUEUED', 'RUNNING', 'CANCELLING')", Long.class, tenantId);
      if (active >= policy.maxConcurrentMigrations()) {
        throw refusal(policy, "maxConcurrentMigrations", active + " migrations are running or queued, the limit is "
            + policy.maxConcurrentMigrations(), Map.of("maxConcurrentMigrations", policy.maxConcurrentMigrations(),
            "active", active));
      }
    }
    if (policy.monthlyBudget() != null) {
      YearMonth month = YearMonth.from(clock.instant().atZone(ZoneOffset.UTC));
      BigDecimal spent = billing.committed(tenantId, month);
      BigDecimal estimate = request.estimate().total();
      if (spent.add(estimate).compareTo(policy.monthlyBudget()) > 0) {
        throw refusal(policy, "monthlyBudget", "the estimate of " + estimate.toPlainString() + " USD would exceed the "
            + month + " budget of " + policy.monthlyBudget().toPlainString() + " USD, " + spent.toPlainString()
            + " USD spent or committed", Map.of("budget", policy.monthlyBudget(), "spent", spent,
            "estimate", estimate, "month", month.toString(), "currency", "USD"));
      }
    }
  }

  private static PolicyRefusedException refusal(Policy policy, String rule, String message, Map<String, Object> numbers) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("policy", policy.name());
    details.put("policyId", policy.id());
    details.put("rule", rule);
    details.putAll(numbers);
    return new PolicyRefusedException("refused by policy '" + policy.name() + "' (" + rule + "): " + message, details);
  }
}
