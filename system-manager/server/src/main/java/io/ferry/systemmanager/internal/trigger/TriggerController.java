package io.ferry.systemmanager.internal.trigger;

import io.ferry.systemmanager.internal.account.CloudAccount;
import io.ferry.systemmanager.internal.tenant.TenantScope;
import io.ferry.systemmanager.internal.web.ApiException;
import jakarta.validation.Valid;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The tenant's triggers; tenant admins write them and own the migrations they start. */
@RestController
@RequestMapping("/api/v1/triggers")
public class TriggerController {

  /**
   * A trigger as the API shows it.
   *
   * @param nextFireAt SCHEDULE and enabled: the cron expression's next due time after now (UTC); the
   *     trigger fires at the first evaluation round from then on. Null for the other kinds.
   */
  public record TriggerView(UUID id, String name, TriggerKind kind, String cron, UUID ownerUserId,
      UUID sourceAccountId, String imageNamePattern, Map<String, String> imageTags, List<UUID> targetAccountIds,
      Map<String, String> options, BigDecimal priceDropPercent, boolean enabled, Instant createdAt,
      Instant updatedAt, Instant lastEvaluatedAt, Instant nextFireAt) {
    static TriggerView of(MigrationTrigger trigger, Instant now) {
      return new TriggerView(trigger.id(), trigger.name(), trigger.kind(), trigger.cron(), trigger.ownerUserId(),
          trigger.sourceAccountId(), trigger.imageNamePattern(), trigger.imageTags(), trigger.targetAccountIds(),
          trigger.options(), trigger.priceDropPercent(), trigger.enabled(), trigger.createdAt(), trigger.updatedAt(),
          trigger.lastEvaluatedAt(), nextDue(trigger, now));
    }

    static Instant nextDue(MigrationTrigger trigger, Instant now) {
      if (trigger.kind() != TriggerKind.SCHEDULE || !trigger.enabled() || trigger.cron() == null) {
        return null;
      }
      ZonedDateTime next = CronExpression.parse(trigger.cron()).next(now.atZone(ZoneOffset.UTC));
      return next == null ? null : next.toInstant();
    }
  }

  /** One event a trigger saw. */
  public record EventView(String eventKey, Instant occurredAt, boolean fired, UUID migrationId, String outcome) {}

  private final MigrationTriggerRepository triggers;
  private final TriggerEngine engine;
  private final TenantScope scope;
  private final JdbcTemplate jdbc;
  private final TransactionTemplate transactions;
  private final Clock clock;

  public TriggerController(MigrationTriggerRepository triggers, TriggerEngine engine, TenantScope scope,
      JdbcTemplate jdbc, TransactionTemplate transactions, Clock clock) {
    this.triggers = triggers;
    this.engine = engine;
    this.scope = scope;
    this.jdbc = jdbc;
    this.transactions = transactions;
    this.clock = clock;
  }

  @GetMapping
  public List<TriggerView> list() {
    return transactions.execute(status ->
        scope.list(triggers, MigrationTrigger.class, (root, query, builder) -> builder.conjunction()).stream()
            .sorted(Comparator.comparing(MigrationTrigger::name))
            .map(trigger -> TriggerView.of(trigger, clock.instant()))
            .toList());
  }

  @PostMapping
  public ResponseEntity<TriggerView> create(@Valid @RequestBody TriggerRequest request) {
    MigrationTrigger trigger = transactions.execute(status -> {
      check(request);
      UUID tenantId = scope.tenantId();
      if (triggers.existsByTenantIdAndName(tenantId, request.name())) {
        throw ApiException.conflict("a trigger named '" + request.name() + "' exists");
      }
      MigrationTrigger created = new MigrationTrigger(tenantId, scope.principal().userId(), clock.instant());
      created.describe(request, clock.instant());
      return triggers.save(created);
    });
    // Lists the source's images through its plugin: outside the transaction above.
    engine.baseline(trigger, clock.instant());
    return ResponseEntity.created(URI.create("/api/v1/triggers/" + trigger.id())).body(TriggerView.of(trigger, clock.instant()));
  }

  @GetMapping("/{id}")
  public TriggerView get(@PathVariable UUID id) {
    return TriggerView.of(transactions.execute(status -> require(id)), clock.instant());
  }

  @GetMapping("/{id}/events")
  public List<EventView> events(@PathVariable UUID id) {
    MigrationTrigger trigger = transactions.execute(status -> require(id));
    return jdbc.query("select event_key, occurred_at, fired, migration_id, outcome from trigger_event"
            + " where trigger_id = ? order by occurred_at desc, event_key limit 500",
        (row, index) -> new EventView(row.getString(1), row.getTimestamp(2).toInstant(), row.getBoolean(3),
            row.getObject(4, UUID.class), row.getString(5)),
        trigger.id());
  }

  @PutMapping("/{id}")
  public TriggerView update(@PathVariable UUID id, @Valid @RequestBody TriggerRequest request) {
    return TriggerView.of(transactions.execute(status -> {
      MigrationTrigger trigger = require(id);
      check(request);
      if (!trigger.name().equals(request.name())
          && triggers.existsByTenantIdAndName(trigger.tenantId(), request.name())) {
        throw ApiException.conflict("a trigger named '" + request.name() + "' exists");
      }
      trigger.describe(request, clock.instant());
      return trigger;
    }), clock.instant());
  }

  @DeleteMapping("/{id}")
  public ResponseEntity<Void> delete(@PathVariable UUID id) {
    transactions.executeWithoutResult(status -> triggers.delete(require(id)));
    return ResponseEntity.noContent().build();
  }

  private MigrationTrigger require(UUID id) {
    return scope.require(MigrationTrigger.class, id, "trigger");
  }

  private void check(TriggerRequest request) {
    scope.require(CloudAccount.class, request.sourceAccountId(), "source cloud account");
    request.targetAccountIds().forEach(target -> scope.require(CloudAccount.class, target, "target cloud account"));
    if (request.kind() == TriggerKind.SCHEDULE) {
      if (request.cron() == null || !CronExpression.isValidExpression(request.cron())) {
        throw ApiException.invalidField("cron", "a SCHEDULE trigger needs a six-field cron expression such as '0 0 2 * * *'");
      }
    } else if (request.cron() != null) {
      throw ApiException.invalidField("cron", "only SCHEDULE triggers have a cron expression");
    }
    if (request.kind() == TriggerKind.PRICE && request.priceDropPercent() == null) {
      throw ApiException.invalidField("priceDropPercent", "a PRICE trigger needs the percentage");
    }
    if (request.kind() != TriggerKind.PRICE && request.priceDropPercent() != null) {
      throw ApiException.invalidField("priceDropPercent", "only PRICE triggers have a percentage");
    }
  }
}
