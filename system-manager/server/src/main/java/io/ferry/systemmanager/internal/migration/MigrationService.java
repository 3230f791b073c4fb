package io.ferry.systemmanager.internal.migration;

import io.ferry.orchestrator.MigrationOrchestrator;
import io.ferry.orchestrator.MigrationRequest;
import io.ferry.standardization.spi.Capability;
import io.ferry.standardization.spi.CloudPluginFactory;
import io.ferry.systemmanager.internal.account.CloudAccount;
import io.ferry.systemmanager.internal.account.CloudAccountService;
import io.ferry.systemmanager.internal.catalogue.CatalogueService;
import io.ferry.systemmanager.internal.policy.MigrationAdmission;
import io.ferry.systemmanager.internal.security.FerryPrincipal;
import io.ferry.systemmanager.internal.tenant.TenantScope;
import io.ferry.systemmanager.internal.web.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.domain.Specification;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Migrations: checked, persisted, then handed to the {@link MigrationOrchestrator} once the
 * transaction committed, so the orchestrator never sees a migration that is not in the database.
 * Every request, manual or started by a trigger, passes the tenant's policies in {@link
 * MigrationAdmission} in the transaction that stores it; one that needs approval waits in
 * AWAITING_APPROVAL and is handed over when approved.
 */
@Service
public class MigrationService {

  private static final Logger LOG = LoggerFactory.getLogger(MigrationService.class);

  /**
   * Filters of the migration list; null means "any".
   *
   * @param createdFrom created at or after
   * @param createdTo created before
   */
  public record Filter(MigrationState state, UUID sourceAccountId, UUID targetAccountId, Instant createdFrom,
      Instant createdTo) {}

  private final MigrationRepository migrations;
  private final CloudAccountService accounts;
  private final CatalogueService catalogue;
  private final MigrationOrchestrator orchestrator;
  private final MigrationAdmission admission;
  private final TenantScope scope;
  private final TransactionTemplate transactions;
  private final Clock clock;

  public MigrationService(
      MigrationRepository migrations, CloudAccountService accounts, CatalogueService catalogue,
      MigrationOrchestrator orchestrator, MigrationAdmission admission, TenantScope scope,
      TransactionTemplate transactions, Clock clock) {
    this.migrations = migrations;
    this.accounts = accounts;
    this.catalogue = catalogue;
    this.orchestrator = orchestrator;
    this.admission = admission;
    this.scope = scope;
    this.transactions = transactions;
    this.clock = clock;
  }

  /** Creates a migration of the caller and hands it to the orchestrator. */
  public Migration create(UUID sourceAccountId, String sourceImageId, UUID targetAccountId, Map<String, String> options) {
    return create(sourceAccountId, sourceImageId, targetAccountId, options, null);
  }

  /**
   * Creates a migration and hands it to the orchestrator, unless a policy refuses it or it awaits
   * approval.
   *
   * @param triggerId the trigger that started it (the caller is the trigger's owner), or null
   */
  public Migration create(
      UUID sourceAccountId, String sourceImageId, UUID targetAccountId, Map<String, String> options, UUID triggerId) {
    CloudAccount checkedSource = transactions.execute(
        status -> scope.require(CloudAccount.class, sourceAccountId, "source cloud account"));
    CloudAccount checkedTarget = transactions.execute(
        status -> scope.require(CloudAccount.class, targetAccountId, "target cloud account"));
    requireCapability(checkedSource, Capability.EXPORT_IMAGE, "sourceAccountId", "cannot export images");
    requireCapability(checkedTarget, Capability.REGISTER_IMAGE, "targetAccountId", "cannot register images");
    // May list the source's images through its plugin: outside the transaction below.
    if (!catalogue.contains(checkedSource.id(), sourceImageId)) {
      throw ApiException.invalidField("sourceImageId", "no such image in the source account's catalogue");
    }
    MigrationAdmission.Prepared request = admission.prepare(checkedSource, checkedTarget, sourceImageId,
        Objects.requireNonNullElse(options, Map.of()));
    Migration migration = transactions.execute(status -> {
      CloudAccount source = scope.require(CloudAccount.class, sourceAccountId, "source cloud account");
      CloudAccount target = scope.require(CloudAccount.class, targetAccountId, "target cloud account");
      FerryPrincipal principal = scope.principal();
      Migration created = new Migration(principal.tenantId(), source.id(), sourceImageId, target.id(),
          Objects.requireNonNullElse(options, Map.of()), principal.username(), clock.instant());
      MigrationAdmission.Decision decision = admission.admit(request, principal);
      if (decision.needsApproval()) {
        created.awaitApproval(clock.instant());
      }
      Migration saved = migrations.saveAndFlush(created);
      admission.record(saved, request, decision, triggerId, triggerId == null ? null : principal.username());
      return saved;
    });
    if (migration.state() == MigrationState.AWAITING_APPROVAL) {
      LOG.info("migration {} awaits approval", migration.id());
      return migration;
    }
    return handOff(migration);
  }

  /** Hands a queued, committed migration to the orchestrator; marks it failed when refused. */
  public Migration handOff(Migration migration) {
    try {
      orchestrator.submit(new MigrationRequest(migration.id().toString(), migration.tenantId().toString(),
          migration.sourceAccountId().toString(), migration.sourceImageId(), migration.targetAccountId().toString(),
          migration.options()));
      return migration;
    } catch (RuntimeException e) {
      LOG.error("the orchestrator did not accept migration {}", migration.id(), e);
      return transactions.execute(status -> {
        Migration failed = migrations.findById(migration.id()).orElseThrow();
        failed.handOffFailed("the orchestrator did not accept the migration", clock.instant());
        return failed;
      });
    }
  }

  /** The migration if the caller's tenant owns it. */
  public Migration get(UUID id) {
    return transactions.execute(status -> scope.require(Migration.class, id, "migration"));
  }

  /** A page of the tenant's migrations that match the filter. */
  public Page<Migration> list(Filter filter, Pageable page) {
    Specification<Migration> specification = (root, query, builder) -> builder.conjunction();
    if (filter.state() != null) {
      specification = specification.and((root, query, builder) -> builder.equal(root.get("state"), filter.state()));
    }
    if (filter.sourceAccountId() != null) {
      specification = specification.and(
          (root, query, builder) -> builder.equal(root.get("sourceAccountId"), filter.sourceAccountId()));
    }
    if (filter.targetAccountId() != null) {
      specification = specification.and(
          (root, query, builder) -> builder.equal(root.get("targetAccountId"), filter.targetAccountId()));
    }
    if (filter.createdFrom() != null) {
      specification = specification.and(
          (root, query, builder) -> builder.greaterThanOrEqualTo(root.get("createdAt"), filter.createdFrom()));
    }
    if (filter.createdTo() != null) {
      specification = specification.and(
          (root, query, builder) -> builder.lessThan(root.get("createdAt"), filter.createdTo()));
    }
    Specification<Migration> matching = specification;
    return transactions.execute(status -> scope.page(migrations, Migration.class, matching, page));
  }

  /** Cancels a migration that has not finished. */
  public Migration cancel(UUID id) {
    Migration migration = transactions.execute(status -> {
      Migration found = scope.require(Migration.class, id, "migration");
      if (!found.requestCancel(clock.instant())) {
        throw ApiException.conflict("the migration has already finished (" + found.state() + ")");
      }
      return found;
    });
    orchestrator.cancel(migration.id().toString());
    return migration;
  }

  private void requireCapability(CloudAccount account, Capability capability, String field, String message) {
    CloudPluginFactory factory = accounts.factory(account.pluginId());
    if (!factory.capabilities().contains(capability)) {
      throw ApiException.invalidField(field, "plugin " + factory.id() + " " + message);
    }
  }
}
