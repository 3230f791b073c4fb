package io.ferry.systemmanager.internal.policy;

import io.ferry.systemmanager.internal.tenant.TenantScope;
import io.ferry.systemmanager.internal.web.ApiException;
import jakarta.validation.Valid;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The tenant's policies; tenant admins write them, everyone in the tenant reads them. */
@RestController
@RequestMapping("/api/v1/policies")
public class PolicyController {

  /** A policy as the API shows it. */
  public record PolicyView(UUID id, String name, PolicyKind kind, String subjectRole, String subjectUsername,
      List<UUID> sourceAccountIds, List<UUID> targetAccountIds, List<String> regions, Long maxImageBytes,
      Integer maxConcurrentMigrations, BigDecimal monthlyBudget, BigDecimal approvalMinCost, Instant createdAt,
      Instant updatedAt) {
    static PolicyView of(Policy policy) {
      return new PolicyView(policy.id(), policy.name(), policy.kind(),
          policy.subjectRole() == null ? null : policy.subjectRole().name(), policy.subjectUsername(),
          policy.sourceAccountIds(), policy.targetAccountIds(), policy.regions(), policy.maxImageBytes(),
          policy.maxConcurrentMigrations(), policy.monthlyBudget(), policy.approvalMinCost(), policy.createdAt(),
          policy.updatedAt());
    }
  }

  private final PolicyRepository policies;
  private final TenantScope scope;
  private final Clock clock;

  public PolicyController(PolicyRepository policies, TenantScope scope, Clock clock) {
    this.policies = policies;
    this.scope = scope;
    this.clock = clock;
  }

  @GetMapping
  @Transactional(readOnly = true)
  public List<PolicyView> list() {
    return scope.list(policies, Policy.class, (root, query, builder) -> builder.conjunction()).stream()
        .sorted(Comparator.comparing(Policy::name))
        .map(PolicyView::of)
        .toList();
  }

  @PostMapping
  @Transactional
  public ResponseEntity<PolicyView> create(@Valid @RequestBody PolicyRequest request) {
    check(request);
    UUID tenantId = scope.tenantId();
    if (policies.existsByTenantIdAndName(tenantId, request.name())) {
      throw ApiException.conflict("a policy named '" + request.name() + "' exists");
    }
    Policy policy = new Policy(tenantId, clock.instant());
    policy.describe(request, clock.instant());
    policies.save(policy);
    return ResponseEntity.created(URI.create("/api/v1/policies/" + policy.id())).body(PolicyView.of(policy));
  }

  @GetMapping("/{id}")
  @Transactional(readOnly = true)
  public PolicyView get(@PathVariable UUID id) {
    return PolicyView.of(scope.require(Policy.class, id, "policy"));
  }

  @PutMapping("/{id}")
  @Transactional
  public PolicyView update(@PathVariable UUID id, @Valid @RequestBody PolicyRequest request) {
    Policy policy = scope.require(Policy.class, id, "policy");
    check(request);
    if (!policy.name().equals(request.name()) && policies.existsByTenantIdAndName(policy.tenantId(), request.name())) {
      throw ApiException.conflict("a policy named '" + request.name() + "' exists");
    }
    policy.describe(request, clock.instant());
    return PolicyView.of(policy);
  }

  @DeleteMapping("/{id}")
  @Transactional
  public ResponseEntity<Void> delete(@PathVariable UUID id) {
    policies.delete(scope.require(Policy.class, id, "policy"));
    return ResponseEntity.noContent().build();
  }

  private static void check(PolicyRequest request) {
    if (request.kind() == PolicyKind.LIMIT && request.maxImageBytes() == null
        && request.maxConcurrentMigrations() == null && request.monthlyBudget() == null) {
      throw ApiException.invalidField("kind",
          "a LIMIT policy sets maxImageBytes, maxConcurrentMigrations or monthlyBudget");
    }
    if (request.kind() != PolicyKind.LIMIT && (request.maxImageBytes() != null
        || request.maxConcurrentMigrations() != null || request.monthlyBudget() != null)) {
      throw ApiException.invalidField("kind", "limits belong in a LIMIT policy");
    }
    if (request.kind() != PolicyKind.APPROVAL && request.approvalMinCost() != null) {
      throw ApiException.invalidField("approvalMinCost", "belongs in an APPROVAL policy");
    }
  }
}
