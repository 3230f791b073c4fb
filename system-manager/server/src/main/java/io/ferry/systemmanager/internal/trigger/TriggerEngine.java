package io.ferry.systemmanager.internal.trigger;

import io.ferry.standardization.spi.PriceSheet;
import io.ferry.systemmanager.internal.account.CloudAccount;
import io.ferry.systemmanager.internal.account.CloudAccountService;
import io.ferry.systemmanager.internal.audit.AuditEvent;
import io.ferry.systemmanager.internal.audit.AuditEventRepository;
import io.ferry.systemmanager.internal.billing.CostEstimator;
import io.ferry.systemmanager.internal.billing.CostRecorder;
import io.ferry.systemmanager.internal.billing.PriceSheets;
import io.ferry.systemmanager.internal.catalogue.CatalogueImage;
import io.ferry.systemmanager.internal.catalogue.CatalogueService;
import io.ferry.systemmanager.internal.migration.Migration;
import io.ferry.systemmanager.internal.migration.MigrationService;
import io.ferry.systemmanager.internal.security.FerryAuthentication;
import io.ferry.systemmanager.internal.security.FerryPrincipal;
import io.ferry.systemmanager.internal.tenant.AppUser;
import io.ferry.systemmanager.internal.tenant.AppUserRepository;
import io.ferry.systemmanager.internal.tenant.Role;
import io.ferry.systemmanager.internal.web.ApiException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Evaluates triggers and fires them. Each event (a due time of a schedule, an image version per
 * target, a price condition per image version, target and price sheets) has a key; a trigger fires
 * for an event only after inserting its key into {@code trigger_event} (insert if absent), so that
 * an event fires at most once however many workers evaluate at the same time. A trigger runs as
 * its owner: the tenant scope, the policies and the budget apply as if the owner had asked, the
 * migration records the trigger, and the audit log records actor {@code trigger:<id>}.
 */
@Service
public class TriggerEngine {

  private static final Logger LOG = LoggerFactory.getLogger(TriggerEngine.class);
  /** The windows a schedule's latest due time is searched in; schedules are not looked back further. */
  private static final List<Duration> WINDOWS =
      List.of(Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofDays(1), Duration.ofDays(35));
  private static final int MAX_CRON_STEPS = 100_000;
  private static final int MAX_KEY_LENGTH = 700;
  private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

  private final MigrationTriggerRepository triggers;
  private final AppUserRepository users;
  private final CloudAccountService accounts;
  private final CatalogueService catalogue;
  private final MigrationService migrations;
  private final PriceSheets prices;
  private final CostRecorder costs;
  private final AuditEventRepository audit;
  private final JdbcTemplate jdbc;
  private final TransactionTemplate transactions;
  /**
   * Per IMAGE trigger, the matching image versions ({@code id@version}) its last round here saw,
   * and that round's time; bounded by the images of the triggers' sources, dropped with the
   * trigger.
   */
  private final Map<UUID, Sighting> settling = new ConcurrentHashMap<>();

  /** The image versions a round at {@code at} saw. */
  private record Sighting(Instant at, Set<String> versions) {}

  public TriggerEngine(MigrationTriggerRepository triggers, AppUserRepository users, CloudAccountService accounts,
      CatalogueService catalogue, MigrationService migrations, PriceSheets prices, CostRecorder costs,
      AuditEventRepository audit, JdbcTemplate jdbc, TransactionTemplate transactions) {
    this.triggers = triggers;
    this.users = users;
    this.accounts = accounts;
    this.catalogue = catalogue;
    this.migrations = migrations;
    this.prices = prices;
    this.costs = costs;
    this.audit = audit;
    this.jdbc = jdbc;
    this.transactions = transactions;
  }

  /**
   * One round, as the recurring task runs it: every enabled trigger is evaluated at {@code now},
   * then the costs of migrations that ended without one are recorded.
   *
   * @return how many migrations the triggers started
   */
  public int evaluateAll(Instant now) {
    List<UUID> enabled = jdbc.queryForList(
        "select id from migration_trigger where enabled order by created_at, id", UUID.class);
    int started = 0;
    for (UUID id : enabled) {
      try {
        started += evaluate(id, now);
      } catch (RuntimeException e) {
        LOG.warn("trigger {} could not be evaluated: {}", id, e.toString());
      }
    }
    costs.recordAllFinished();
    return started;
  }

  /** Evaluates one trigger at {@code now}; returns how many migrations it started. */
  public int evaluate(UUID triggerId, Instant now) {
    MigrationTrigger trigger = transactions.execute(status -> triggers.findById(triggerId).orElse(null));
    if (trigger == null || !trigger.enabled()) {
      settling.remove(triggerId);
      return 0;
    }
    Optional<AppUser> owner = transactions.execute(status -> users.findById(trigger.ownerUserId()));
    if (owner.isEmpty()) {
      return 0;
    }
    int started = asOwner(owner.get(), () -> switch (trigger.kind()) {
      case SCHEDULE -> schedule(trigger, owner.get(), now);
      case IMAGE -> newImages(trigger, owner.get(), now);
      case PRICE -> priceCondition(trigger, owner.get(), now);
    });
    jdbc.update("update migration_trigger set last_evaluated_at = ? where id = ?"
        + " and (last_evaluated_at is null or last_evaluated_at < ?)", Timestamp.from(now), triggerId,
        Timestamp.from(now));
    return started;
  }

  /**
   * Records the images an IMAGE trigger's source holds now as seen, so that only images added or
   * changed later fire. Runs as the caller (the admin creating the trigger).
   */
  public void baseline(MigrationTrigger trigger, Instant now) {
    if (trigger.kind() != TriggerKind.IMAGE) {
      return;
    }
    for (CatalogueImage image : currentImages(trigger.sourceAccountId())) {
      if (trigger.matches(image.imageId(), image.name(), image.tags())) {
        for (UUID target : trigger.targetAccountIds()) {
          claim(trigger, imageKey(image, target), now, false);
        }
      }
    }
  }

  /**
   * The latest due time of a schedule in (after, now], or null. Searched in growing windows back
   * from now (a minute, an hour, a day, the look-back limit), so that a schedule every second costs
   * as few steps as a nightly one: the first window holding a due time holds the latest.
   */
  static Instant latestDue(String cron, Instant after, Instant now) {
    CronExpression expression = CronExpression.parse(cron);
    for (Duration window : WINDOWS) {
      Instant from = now.minus(window);
      boolean reachesAfter = !from.isAfter(after);
      Instant due = scan(expression, reachesAfter ? after : from, now);
      if (due != null || reachesAfter) {
        return due;
      }
    }
    return null;
  }

  private static Instant scan(CronExpression expression, Instant after, Instant now) {
    ZonedDateTime cursor = after.atZone(ZoneOffset.UTC);
    Instant due = null;
    for (int step = 0; step < MAX_CRON_STEPS; step++) {
      ZonedDateTime next = expression.next(cursor);
      if (next == null || next.toInstant().isAfter(now)) {
        return due;
      }
      due = next.toInstant();
      cursor = next;
    }
    return due;
  }

  private int schedule(MigrationTrigger trigger, AppUser owner, Instant now) {
    Instant after = trigger.lastEvaluatedAt() != null && trigger.lastEvaluatedAt().isAfter(trigger.createdAt())
        ? trigger.lastEvaluatedAt() : trigger.createdAt();
    Instant due = latestDue(trigger.cron(), after, now);
    // The due time itself is the event: whoever claims it migrates every matching image.
    if (due == null || !claim(trigger, "schedule:" + due, now, true)) {
      return 0;
    }
    int started = 0;
    List<CatalogueImage> images = currentImages(trigger.sourceAccountId());
    for (CatalogueImage image : images) {
      if (trigger.matches(image.imageId(), image.name(), image.tags())) {
        for (UUID target : trigger.targetAccountIds()) {
          String key = "schedule:" + due + ":" + image.imageId() + "->" + target;
          if (claim(trigger, key, now, true)) {
            started += fire(trigger, owner, image, target, key, now);
          }
        }
      }
    }
    return started;
  }

  /**
   * Fires for each matching image version that this engine's previous round of the trigger saw
   * too: a version fires only once it has stayed the same for a round, so that a file still being
   * copied into a local account (whose size and time change as it grows) fires once, complete,
   * not once per partial version.
   */
  private int newImages(MigrationTrigger trigger, AppUser owner, Instant now) {
    int started = 0;
    // only an earlier round counts: two rounds of the same time (overlapping runs) see one version
    Sighting sighting = settling.get(trigger.id());
    Set<String> previous = sighting != null && sighting.at().isBefore(now) ? sighting.versions() : Set.of();
    Set<String> current = new HashSet<>();
    for (CatalogueImage image : currentImages(trigger.sourceAccountId())) {
      if (trigger.matches(image.imageId(), image.name(), image.tags())) {
        String version = image.imageId() + "@" + image.version();
        current.add(version);
        if (!previous.contains(version)) {
          continue; // first seen in this version: it fires when the next round finds it unchanged
        }
        for (UUID target : trigger.targetAccountIds()) {
          String key = imageKey(image, target);
          if (claim(trigger, key, now, true)) {
            started += fire(trigger, owner, image, target, key, now);
          }
        }
      }
    }
    settling.put(trigger.id(), new Sighting(now, current));
    return started;
  }

  private int priceCondition(MigrationTrigger trigger, AppUser owner, Instant now) {
    CloudAccount source = transactions.execute(status -> accounts.require(trigger.sourceAccountId()));
    PriceSheet sourceSheet = prices.prices(source).sheet();
    BigDecimal drop = trigger.priceDropPercent() == null ? BigDecimal.ZERO : trigger.priceDropPercent();
    int started = 0;
    List<CatalogueImage> images = currentImages(trigger.sourceAccountId());
    for (UUID targetId : trigger.targetAccountIds()) {
      CloudAccount target = transactions.execute(status -> accounts.require(targetId));
      PriceSheet targetSheet = prices.prices(target).sheet();
      for (CatalogueImage image : images) {
        if (!trigger.matches(image.imageId(), image.name(), image.tags())) {
          continue;
        }
        BigDecimal sourceCost = CostEstimator.monthlyRunningCost(sourceSheet, image.virtualSize());
        BigDecimal targetCost = CostEstimator.monthlyRunningCost(targetSheet, image.virtualSize());
        BigDecimal ceiling = sourceCost.multiply(HUNDRED.subtract(drop)).divide(HUNDRED, 4, RoundingMode.HALF_UP);
        if (sourceCost.signum() <= 0 || targetCost.compareTo(ceiling) > 0) {
          continue;
        }
        String key = "price:" + image.imageId() + "@" + image.version() + "->" + targetId + ":"
            + fingerprint(sourceSheet) + "/" + fingerprint(targetSheet);
        if (claim(trigger, key, now, true)) {
          started += fire(trigger, owner, image, targetId, key, now);
        }
      }
    }
    return started;
  }

  /**
   * The account's images, listed again through its plugin. When another worker refreshes the same
   * catalogue at the same moment, one of the two replacements loses on the unique image key; the
   * loser reads the winner's fresh catalogue.
   */
  private List<CatalogueImage> currentImages(UUID accountId) {
    try {
      return catalogue.refresh(accountId);
    } catch (DataIntegrityViolationException concurrentRefresh) {
      LOG.debug("catalogue of {} refreshed concurrently; reading the other worker's", accountId);
      return catalogue.images(accountId);
    }
  }

  /** Inserts the event's key if absent; true when this call inserted it (and so owns the event). */
  private boolean claim(MigrationTrigger trigger, String key, Instant now, boolean fired) {
    return jdbc.update("insert into trigger_event (trigger_id, event_key, tenant_id, occurred_at, fired)"
            + " values (?, ?, ?, ?, ?) on conflict (trigger_id, event_key) do nothing",
        trigger.id(), bounded(key), trigger.tenantId(), Timestamp.from(now), fired) == 1;
  }

  /** Starts one migration for a claimed event and records the outcome on the event and in the audit log. */
  private int fire(MigrationTrigger trigger, AppUser owner, CatalogueImage image, UUID target, String key,
      Instant now) {
    String actor = "trigger:" + trigger.id();
    UUID migrationId = null;
    String outcome;
    int status;
    AuditEvent.Outcome audited;
    if (owner.role() == Role.VIEWER) {
      outcome = "ACCESS_DENIED: the trigger's owner " + owner.username() + " may not start migrations";
      status = 403;
      audited = AuditEvent.Outcome.DENIED;
    } else {
      try {
        Migration migration = migrations.create(trigger.sourceAccountId(), image.imageId(), target, trigger.options(),
            trigger.id());
        migrationId = migration.id();
        outcome = "migration " + migration.id() + " " + migration.state();
        status = 201;
        audited = AuditEvent.Outcome.SUCCESS;
      } catch (ApiException e) {
        outcome = e.code() + ": " + e.getMessage();
        status = e.status().value();
        audited = status == 401 || status == 403 ? AuditEvent.Outcome.DENIED : AuditEvent.Outcome.FAILED;
      }
    }
    jdbc.update("update trigger_event set migration_id = ?, outcome = ? where trigger_id = ? and event_key = ?",
        migrationId, truncate(outcome, 1000), trigger.id(), bounded(key));
    String auditTarget = migrationId != null ? "/api/v1/migrations/" + migrationId : "/api/v1/triggers/" + trigger.id();
    audit.save(new AuditEvent(now, trigger.tenantId(), actor, "TRIGGER " + trigger.kind() + " fired", auditTarget, audited,
        status));
    LOG.info("trigger {} fired for {} to {}: {}", trigger.id(), image.imageId(), target, outcome);
    return migrationId == null ? 0 : 1;
  }

  private static String imageKey(CatalogueImage image, UUID target) {
    return "image:" + image.imageId() + "@" + image.version() + "->" + target;
  }

  private static String fingerprint(PriceSheet sheet) {
    return sha256(sheet.egressPerGb().stripTrailingZeros().toPlainString() + "|"
        + sheet.helperVmPerHour().stripTrailingZeros().toPlainString() + "|"
        + sheet.imageStoragePerGbMonth().stripTrailingZeros().toPlainString() + "|"
        + sheet.objectStoragePerGbMonth().stripTrailingZeros().toPlainString() + "|"
        + new java.util.TreeMap<>(sheet.extra())).substring(0, 16);
  }

  /** Long keys (long image ids and versions) are replaced by their digest. */
  private static String bounded(String key) {
    return key.length() <= MAX_KEY_LENGTH ? key : "sha256:" + sha256(key);
  }

  private static String sha256(String value) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String truncate(String value, int length) {
    return value.length() <= length ? value : value.substring(0, length);
  }

  /** Runs as the trigger's owner, so that the tenant scope and the policies see the owner. */
  private static <T> T asOwner(AppUser owner, java.util.function.Supplier<T> work) {
    SecurityContext previous = SecurityContextHolder.getContext();
    SecurityContext context = SecurityContextHolder.createEmptyContext();
    context.setAuthentication(new FerryAuthentication(FerryPrincipal.of(owner)));
    SecurityContextHolder.setContext(context);
    try {
      return work.get();
    } finally {
      SecurityContextHolder.setContext(previous);
    }
  }
}
