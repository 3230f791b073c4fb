package io.ferry.systemmanager;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.kagkarlsson.scheduler.testhelper.ManualScheduler;
import com.github.kagkarlsson.scheduler.testhelper.SettableClock;
import com.github.kagkarlsson.scheduler.testhelper.TestHelper;
import io.ferry.systemmanager.internal.tenant.AppUser;
import io.ferry.systemmanager.internal.tenant.Role;
import io.ferry.systemmanager.internal.tenant.Tenant;
import io.ferry.systemmanager.internal.trigger.TriggerEngine;
import io.ferry.systemmanager.internal.trigger.TriggerProperties;
import io.ferry.systemmanager.internal.trigger.TriggerScheduler;
import io.ferry.systemmanager.internal.trigger.TriggerTasks;
import io.ferry.systemmanager.support.Api;
import io.ferry.systemmanager.support.ApiIntegrationTest;
import io.ferry.systemmanager.support.FakeCloudPluginFactory;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.scheduling.support.CronExpression;

/**
 * Triggers with a settable clock and no sleeping: a cron trigger run by two db-scheduler
 * schedulers on the same database fires exactly once per due time; a new (and then an updated)
 * image file in a local cloud account is migrated exactly once to each target, also with two
 * workers evaluating at the same moment; a price condition fires when the price sheet changes.
 */
class TriggerIT extends ApiIntegrationTest {

  @Autowired TriggerEngine engine;
  @Autowired DataSource dataSource;
  @TempDir Path directory;

  private final ExecutorService workers = Executors.newFixedThreadPool(2);
  private Api admin;
  private AppUser owner;

  @BeforeEach
  void tenantAndAdmin() {
    jdbc.update("delete from scheduled_tasks where task_name = ?", TriggerTasks.NAME);
    Tenant tenant = tenant("acme");
    owner = user(tenant, "alice", Role.ADMIN);
    admin = as(owner);
  }

  @AfterEach
  void stopWorkers() {
    workers.shutdownNow();
  }

  @Test
  void cronTriggerFiresOncePerDueTimeWithTwoSchedulers() throws Exception {
    FakeCloudPluginFactory.IMAGES.put("loc-aws", List.of(FakeCloudPluginFactory.image("ami-1", "web-frontend"),
        FakeCloudPluginFactory.image("ami-2", "web-backend"), FakeCloudPluginFactory.image("ami-3", "database")));
    UUID aws = createAccount(admin, "aws", "password-aws");
    UUID vsphere = createAccount(admin, "vsphere", "password-vsphere");
    Api.Response created = admin.post("/api/v1/triggers", Map.of("name", "nightly-web", "kind", "SCHEDULE",
        "cron", "0 0 2 * * *", "sourceAccountId", aws, "imageNamePattern", "web-*", "targetAccountIds", List.of(vsphere)));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    UUID trigger = UUID.fromString(created.json().get("id").asText());
    Instant createdAt = Instant.parse(created.json().get("createdAt").asText());
    CronExpression cron = CronExpression.parse("0 0 2 * * *");
    Instant firstDue = cron.next(createdAt.atZone(ZoneOffset.UTC)).toInstant();
    Instant secondDue = firstDue.plus(Duration.ofDays(1));
    assertThat(Instant.parse(created.json().get("nextFireAt").asText())).as("the next due time, for the dashboard")
        .isEqualTo(firstDue);

    SettableClock clock = new SettableClock();
    clock.set(createdAt);
    ManualScheduler one = scheduler(clock);
    ManualScheduler two = scheduler(clock);
    one.start();
    two.start();

    bothRun(one, two);
    assertThat(triggered(trigger)).as("nothing is due before 02:00").isZero();

    clock.set(firstDue.plusSeconds(30));
    bothRun(one, two);
    assertThat(triggered(trigger)).as("two web images, one target").isEqualTo(2);
    clock.set(firstDue.plusSeconds(120));
    bothRun(one, two);
    assertThat(triggered(trigger)).as("the same due time does not fire again").isEqualTo(2);

    clock.set(secondDue.plusSeconds(5));
    bothRun(one, two);
    clock.set(secondDue.plusSeconds(300));
    bothRun(one, two);
    assertThat(triggered(trigger)).isEqualTo(4);
    assertThat(jdbc.queryForList("select event_key from trigger_event where trigger_id = ? and event_key not like"
        + " '%->%' order by event_key", String.class, trigger))
        .containsExactly("schedule:" + firstDue, "schedule:" + secondDue);
    assertThat(jdbc.queryForList("select distinct m.source_image_id from migration m join migration_ledger l"
        + " on l.migration_id = m.id where l.trigger_id = ? order by 1", String.class, trigger))
        .containsExactly("ami-1", "ami-2");
    assertThat(jdbc.queryForObject("select count(*) from migration_ledger where trigger_id = ? and trigger_owner ="
        + " 'alice'", Long.class, trigger)).isEqualTo(4);
    assertThat(jdbc.queryForObject("select count(*) from audit_event where actor = ? and outcome = 'SUCCESS'",
        Long.class, "trigger:" + trigger)).isEqualTo(4);
  }

  @Test
  void newImageFileInALocalAccountIsMigratedExactlyOnceToEachTarget() throws Exception {
    Path sourceDirectory = Files.createDirectories(directory.resolve("source"));
    Path images = Files.createDirectories(sourceDirectory.resolve("images"));
    file(images.resolve("web-old.raw"), 1L << 20);
    UUID source = localAccount("lab", sourceDirectory);
    UUID first = localAccount("target-1", Files.createDirectories(directory.resolve("t1")));
    UUID second = localAccount("target-2", Files.createDirectories(directory.resolve("t2")));
    Api.Response created = admin.post("/api/v1/triggers", Map.of("name", "new-web-images", "kind", "IMAGE",
        "sourceAccountId", source, "imageNamePattern", "web-*", "targetAccountIds", List.of(first, second)));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    assertThat(created.json().path("nextFireAt").asText(null)).as("only schedules have a next due time").isNull();
    UUID trigger = UUID.fromString(created.json().get("id").asText());
    Instant now = Instant.parse("2030-01-01T00:00:00Z");

    bothEvaluate(now);
    assertThat(triggered(trigger)).as("images present when the trigger was made do not fire").isZero();

    file(images.resolve("web-new.raw"), 2L << 20);
    file(images.resolve("db.raw"), 1L << 20);
    bothEvaluate(now.plusSeconds(60));
    bothEvaluate(now.plusSeconds(120));
    assertThat(jdbc.queryForList("select m.target_account_id from migration m join migration_ledger l"
            + " on l.migration_id = m.id where l.trigger_id = ? and m.source_image_id = 'web-new.raw'", UUID.class,
        trigger)).containsExactlyInAnyOrder(first, second);
    assertThat(triggered(trigger)).isEqualTo(2);

    file(images.resolve("web-new.raw"), 3L << 20);
    bothEvaluate(now.plusSeconds(180));
    bothEvaluate(now.plusSeconds(240));
    assertThat(triggered(trigger)).as("the updated image, once more to each target").isEqualTo(4);
    assertThat(admin.get("/api/v1/triggers/" + trigger + "/events").json().findValuesAsText("migrationId")).hasSize(4);
  }

  /**
   * An image file still being copied into the account changes between rounds (size, time): it
   * fires once, when a round finds it as the round before did, not once per partial version.
   */
  @Test
  void anImageStillBeingWrittenFiresOnceWhenItStopsChanging() throws Exception {
    LocalImageTrigger copying = localImageTrigger("copying", "big-*");
    UUID trigger = copying.id();
    Instant now = Instant.parse("2031-01-01T00:00:00Z");

    for (int round = 1; round <= 4; round++) {
      file(copying.images().resolve("big-disk.raw"), round * (1L << 20)); // the copy goes on
      bothEvaluate(now.plusSeconds(60L * round));
      assertThat(triggered(trigger)).as("round %d of the copy", round).isZero();
    }
    bothEvaluate(now.plusSeconds(300)); // the copy is done: unchanged since the last round
    assertThat(triggered(trigger)).as("fired once the file stopped changing").isEqualTo(1);
    bothEvaluate(now.plusSeconds(360));
    assertThat(triggered(trigger)).as("and only once").isEqualTo(1);
  }

  @Test
  void twoRoundsAtTheSameTimeAreOneSightingOfAnImage() throws Exception {
    LocalImageTrigger overlapping = localImageTrigger("overlapping", "new-*");
    file(overlapping.images().resolve("new-disk.raw"), 1L << 20);
    Instant now = Instant.parse("2032-01-01T00:00:00Z");

    engine.evaluateAll(now);
    engine.evaluateAll(now); // a second round of the same time, one after the other
    assertThat(triggered(overlapping.id())).as("seen once so far: it may still be changing").isZero();
    engine.evaluateAll(now.plusSeconds(60));
    assertThat(triggered(overlapping.id())).as("unchanged a round later").isEqualTo(1);
  }

  @Test
  void priceConditionFiresWhenThePriceSheetChanges() throws Exception {
    FakeCloudPluginFactory.IMAGES.put("loc-onprem", List.of(FakeCloudPluginFactory.image("vm-1", "app-server")));
    UUID source = createAccount(admin, "onprem", "password-onprem");
    UUID target = createAccount(admin, "cheap", "password-cheap");
    prices(source, "1.00");
    prices(target, "0.90");
    Api.Response created = admin.post("/api/v1/triggers", Map.of("name", "move-when-cheaper", "kind", "PRICE",
        "sourceAccountId", source, "targetAccountIds", List.of(target), "priceDropPercent", 20));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    UUID trigger = UUID.fromString(created.json().get("id").asText());
    Instant now = Instant.parse("2030-01-01T00:00:00Z");

    bothEvaluate(now);
    assertThat(triggered(trigger)).as("10% cheaper is not enough").isZero();

    prices(target, "0.70");
    bothEvaluate(now.plusSeconds(60));
    assertThat(triggered(trigger)).isEqualTo(1);
    bothEvaluate(now.plusSeconds(120));
    assertThat(triggered(trigger)).as("the same prices do not fire again").isEqualTo(1);
    assertThat(jdbc.queryForObject("select created_by from migration m join migration_ledger l on l.migration_id = m.id"
        + " where l.trigger_id = ?", String.class, trigger)).isEqualTo("alice");
  }

  @Test
  void automaticMigrationsObeyThePolicies() throws Exception {
    FakeCloudPluginFactory.IMAGES.put("loc-src", List.of(FakeCloudPluginFactory.image("img-1", "web-1")));
    UUID source = createAccount(admin, "src", "password-src");
    UUID target = createAccount(admin, "dst", "password-dst");
    assertThat(admin.post("/api/v1/policies", Map.of("name", "nothing-to-dst", "kind", "ACCESS", "subjectRole", "ADMIN",
        "targetAccountIds", List.of(source))).status()).isEqualTo(201);
    Api.Response created = admin.post("/api/v1/triggers", Map.of("name", "all", "kind", "SCHEDULE",
        "cron", "0 * * * * *", "sourceAccountId", source, "targetAccountIds", List.of(target)));
    UUID trigger = UUID.fromString(created.json().get("id").asText());
    Instant createdAt = Instant.parse(created.json().get("createdAt").asText());

    engine.evaluateAll(createdAt.plusSeconds(61));
    assertThat(triggered(trigger)).isZero();
    assertThat(jdbc.queryForObject("select outcome from trigger_event where trigger_id = ? and event_key like '%->%'",
        String.class, trigger)).startsWith("POLICY_REFUSED").contains("nothing-to-dst");
    assertThat(jdbc.queryForObject("select count(*) from audit_event where actor = ? and outcome = 'DENIED'",
        Long.class, "trigger:" + trigger)).isEqualTo(1);
  }

  @Test
  void theTriggerSchedulerRegistersOneRecurringExecutionOnTheSharedTable() {
    TriggerScheduler first = new TriggerScheduler(dataSource, engine,
        new TriggerProperties(true, Duration.ofHours(1), Duration.ofSeconds(10)), java.time.Clock.systemUTC());
    TriggerScheduler second = new TriggerScheduler(dataSource, engine,
        new TriggerProperties(true, Duration.ofHours(1), Duration.ofSeconds(10)), java.time.Clock.systemUTC());
    TriggerScheduler disabled = new TriggerScheduler(dataSource, engine,
        new TriggerProperties(false, Duration.ofHours(1), Duration.ofSeconds(10)), java.time.Clock.systemUTC());
    try {
      first.start();
      second.start();
      disabled.start();
      assertThat(first.isRunning()).isTrue();
      assertThat(disabled.isRunning()).isFalse();
      assertThat(jdbc.queryForObject("select count(*) from scheduled_tasks where task_name = ?", Long.class,
          TriggerTasks.NAME)).isEqualTo(1);
      assertThat(first.ensureExecution()).as("present").isFalse();
      // Another scheduler on the table deleted the execution of a task it does not know.
      jdbc.update("delete from scheduled_tasks where task_name = ?", TriggerTasks.NAME);
      assertThat(first.ensureExecution()).isTrue();
      assertThat(jdbc.queryForObject("select count(*) from scheduled_tasks where task_name = ?", Long.class,
          TriggerTasks.NAME)).isEqualTo(1);
    } finally {
      first.stop();
      second.stop();
    }
    assertThat(first.isRunning()).isFalse();
  }

  private ManualScheduler scheduler(SettableClock clock) {
    return TestHelper.createManualScheduler(dataSource)
        .clock(clock)
        .startTasks(List.of(TriggerTasks.recurring(engine, clock::now, Duration.ofSeconds(60))))
        .build();
  }

  /** Both schedulers look for due executions at the same moment. */
  private void bothRun(ManualScheduler one, ManualScheduler two) throws Exception {
    together(one::runAnyDueExecutions, two::runAnyDueExecutions);
  }

  /** Two workers evaluate every trigger at the same moment. */
  private void bothEvaluate(Instant now) throws Exception {
    together(() -> engine.evaluateAll(now), () -> engine.evaluateAll(now));
  }

  private void together(Runnable one, Runnable two) throws Exception {
    CyclicBarrier start = new CyclicBarrier(2);
    List<Future<Object>> running = new ArrayList<>();
    for (Runnable work : List.of(one, two)) {
      Callable<Object> call = () -> {
        start.await(30, TimeUnit.SECONDS);
        work.run();
        return null;
      };
      running.add(workers.submit(call));
    }
    for (Future<Object> future : running) {
      future.get(120, TimeUnit.SECONDS);
    }
  }

  /** An IMAGE trigger from a new local account {@code name} (images in {@code images}) to another. */
  private record LocalImageTrigger(UUID id, Path images) {}

  private LocalImageTrigger localImageTrigger(String name, String imageNamePattern) throws Exception {
    Path sourceDirectory = Files.createDirectories(directory.resolve(name));
    Path images = Files.createDirectories(sourceDirectory.resolve("images"));
    UUID source = localAccount(name, sourceDirectory);
    UUID target = localAccount(name + "-target", Files.createDirectories(directory.resolve(name + "-target")));
    Api.Response created = admin.post("/api/v1/triggers", Map.of("name", name + "-images", "kind", "IMAGE",
        "sourceAccountId", source, "imageNamePattern", imageNamePattern, "targetAccountIds", List.of(target)));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    return new LocalImageTrigger(UUID.fromString(created.json().get("id").asText()), images);
  }

  private long triggered(UUID trigger) {
    return jdbc.queryForObject("select count(*) from migration_ledger where trigger_id = ?", Long.class, trigger);
  }

  private UUID localAccount(String name, Path root) {
    Api.Response created = admin.post("/api/v1/cloud-accounts",
        Map.of("pluginId", "local", "name", name, "settings", Map.of("directory", root.toString())));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    return UUID.fromString(created.json().get("id").asText());
  }

  private void prices(UUID account, String vmPerHour) {
    Api.Response put = admin.put("/api/v1/cloud-accounts/" + account + "/prices", Map.of("egressPerGb", "0",
        "helperVmPerHour", vmPerHour, "imageStoragePerGbMonth", "0", "objectStoragePerGbMonth", "0"));
    assertThat(put.status()).as(put.toString()).isEqualTo(200);
  }

  private static void file(Path path, long size) throws IOException {
    try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
      file.setLength(size);
    }
  }
}
