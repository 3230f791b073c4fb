package io.ferry.systemmanager.internal.policy;

import io.ferry.systemmanager.internal.billing.MigrationLedger;
import io.ferry.systemmanager.internal.migration.Migration;
import io.ferry.systemmanager.internal.migration.MigrationService;
import io.ferry.systemmanager.internal.tenant.TenantScope;
import io.ferry.systemmanager.internal.web.ApiException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * A tenant admin's decision on a migration that awaits approval: approved, it is handed to the
 * orchestrator; rejected, it ends REJECTED without running.
 */
@RestController
public class ApprovalController {

  /** Why (optional). */
  public record DecisionRequest(@Size(max = 1000) String reason) {}

  /** The migration after the decision. */
  public record DecisionView(UUID id, String state, String decidedBy, Instant decidedAt, String errorCode,
      String errorMessage) {}

  private final MigrationService migrations;
  private final MigrationLedger ledger;
  private final TenantScope scope;
  private final TransactionTemplate transactions;
  private final Clock clock;

  public ApprovalController(MigrationService migrations, MigrationLedger ledger, TenantScope scope,
      TransactionTemplate transactions, Clock clock) {
    this.migrations = migrations;
    this.ledger = ledger;
    this.scope = scope;
    this.transactions = transactions;
    this.clock = clock;
  }

  @PostMapping("/api/v1/migrations/{id}/approve")
  public DecisionView approve(@PathVariable UUID id, @Valid @RequestBody(required = false) DecisionRequest request) {
    return decide(id, true, request == null ? null : request.reason());
  }

  @PostMapping("/api/v1/migrations/{id}/reject")
  public DecisionView reject(@PathVariable UUID id, @Valid @RequestBody(required = false) DecisionRequest request) {
    String reason = request == null || request.reason() == null ? "rejected by a tenant admin" : request.reason();
    return decide(id, false, reason);
  }

  private DecisionView decide(UUID id, boolean approved, String reason) {
    Instant now = clock.instant();
    String decidedBy = scope.principal().username();
    Migration decided = transactions.execute(status -> {
      Migration migration = scope.require(Migration.class, id, "migration");
      if (!migration.decide(approved, reason, now)) {
        throw ApiException.conflict("the migration does not await approval (" + migration.state() + ")");
      }
      ledger.decided(migration.id(), decidedBy, now);
      return migration;
    });
    Migration result = approved ? migrations.handOff(decided) : decided;
    return new DecisionView(result.id(), result.state().name(), decidedBy, now, result.errorCode(),
        result.errorMessage());
  }
}
