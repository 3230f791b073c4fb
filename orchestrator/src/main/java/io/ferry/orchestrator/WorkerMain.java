package io.ferry.orchestrator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.bundle.LocalChunkStore;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.CloudPlugins;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * A standalone worker process (no Spring): claims migration steps from PostgreSQL and runs them
 * until it is stopped. Every option is {@code --name=value} or the environment variable in
 * brackets:
 *
 * <pre>
 * --db-url (FERRY_DB_URL)            JDBC URL, required
 * --db-user (FERRY_DB_USER), --db-password (FERRY_DB_PASSWORD)
 * --accounts (FERRY_ACCOUNTS)        JSON file: {"account-id": {"plugin": "local", "layer": "aws",
 *                                    "region": null, "endpoint": null, "settings": {...}, "secrets": {...}}}
 * --agent-jar (FERRY_AGENT_JAR)      the guest agent jar, required
 * --work-dir (FERRY_WORK_DIR)        scratch folder (default ~/.ferry/work)
 * --store (FERRY_STORE)              local bundle store folder (default ~/.ferry/store)
 * --threads (FERRY_WORKER_THREADS)   steps at once (default 2)
 * --name (FERRY_WORKER_NAME)         this worker's name (default pid@host)
 * --polling-ms, --heartbeat-ms       db-scheduler intervals (FERRY_POLLING_MS, FERRY_HEARTBEAT_MS)
 * --missed-heartbeats                a running step whose worker missed this many heartbeats is
 *                                    taken over by another worker (FERRY_MISSED_HEARTBEATS, default 6)
 * --chunk-size (FERRY_CHUNK_SIZE)    bundle chunk size in bytes
 * --control-plane (FERRY_CONTROL_PLANE)  helper mode: the system manager's URL helpers call (it
 *                                    serves the agent endpoints from the same database and store);
 *                                    unset: helper mode is refused
 * --migrate                          run the Flyway migrations first
 * </pre>
 *
 * <p>For tests: {@code FERRY_TEST_PAUSE=JOB=STEP#N;JOB2=STEP@BYTES} makes the worker stop forever at
 * the N-th block boundary (default 1) of that job's step, or at its first boundary at or past
 * BYTES, after writing a file named after the job
 * into {@code FERRY_TEST_PAUSE_MARKERS}, so a test can kill the worker there.
 */
public final class WorkerMain {

  private WorkerMain() {}

  public static void main(String[] arguments) throws Exception {
    Map<String, String> options = parse(arguments);
    String url = option(options, "db-url", "FERRY_DB_URL", null);
    String agentJar = option(options, "agent-jar", "FERRY_AGENT_JAR", null);
    if (url == null || agentJar == null) {
      System.err.println("usage: WorkerMain --db-url=jdbc:postgresql://... --agent-jar=ferry-agent.jar [--accounts=FILE]");
      System.exit(2);
    }
    int threads = Integer.parseInt(option(options, "threads", "FERRY_WORKER_THREADS", "2"));
    HikariConfig pool = new HikariConfig();
    pool.setJdbcUrl(url);
    pool.setPoolName("ferry-worker");
    pool.setMaximumPoolSize(threads + 6);
    String user = option(options, "db-user", "FERRY_DB_USER", null);
    if (user != null) {
      pool.setUsername(user);
    }
    String password = option(options, "db-password", "FERRY_DB_PASSWORD", null);
    if (password != null) {
      pool.setPassword(password);
    }
    HikariDataSource dataSource = new HikariDataSource(pool);
    if (options.containsKey("migrate")) {
      Orchestrator.migrate(dataSource);
    }
    Path home = Path.of(System.getProperty("user.home"), ".ferry");
    Path workDir = Path.of(option(options, "work-dir", "FERRY_WORK_DIR", home.resolve("work").toString()));
    Path storeDir = Path.of(option(options, "store", "FERRY_STORE", home.resolve("store").toString()));
    String accounts = option(options, "accounts", "FERRY_ACCOUNTS", null);
    AccountResolver resolver = accounts == null ? noAccounts() : fileAccounts(Path.of(accounts));
    OrchestratorSettings settings = OrchestratorSettings.defaults(Path.of(agentJar), workDir, new LocalChunkStore(storeDir))
        .withWorkerThreads(threads)
        .withIntervals(
            Duration.ofMillis(Long.parseLong(option(options, "polling-ms", "FERRY_POLLING_MS", "1000"))),
            Duration.ofMillis(Long.parseLong(option(options, "heartbeat-ms", "FERRY_HEARTBEAT_MS", "10000"))),
            Integer.parseInt(option(options, "missed-heartbeats", "FERRY_MISSED_HEARTBEATS", "6")))
        .withHook(testHook());
    String name = option(options, "name", "FERRY_WORKER_NAME", null);
    if (name != null) {
      settings = settings.withWorkerName(name);
    }
    String controlPlane = option(options, "control-plane", "FERRY_CONTROL_PLANE", null);
    if (controlPlane != null) {
      java.net.URI controlPlaneUrl = java.net.URI.create(controlPlane);
      settings = settings.withHelperMode(HelperModeSettings.defaults().withControlPlane(() -> controlPlaneUrl));
    }
    String chunkSize = option(options, "chunk-size", "FERRY_CHUNK_SIZE", null);
    if (chunkSize != null) {
      settings = settings.withChunkSize(Integer.parseInt(chunkSize));
    }
    Orchestrator orchestrator = new Orchestrator(dataSource, Clock.systemUTC(), resolver,
        CloudPlugins.load(WorkerMain.class.getClassLoader()), settings, MigrationEventListener.NONE);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      orchestrator.close();
      dataSource.close();
      stopped.countDown();
    }));
    orchestrator.start();
    System.out.println("ferry worker " + settings.workerName() + " started");
    System.out.flush();
    stopped.await();
  }

  /** Resolves accounts from a JSON file (see the class comment). */
  public static AccountResolver fileAccounts(Path file) throws IOException {
    JsonNode root = new ObjectMapper().readTree(Files.readAllBytes(file));
    return accountId -> {
      JsonNode account = root.get(accountId);
      if (account == null) {
        throw new FerryException(ErrorCode.NOT_FOUND, "no cloud account " + accountId + " in " + file);
      }
      return new ResolvedAccount(account.path("plugin").asText(),
          new CloudAccountConfig(accountId, text(account, "region"), text(account, "endpoint"),
              strings(account.path("settings")), strings(account.path("secrets"))),
          text(account, "layer"));
    };
  }

  private static AccountResolver noAccounts() {
    return accountId -> {
      throw new FerryException(ErrorCode.NOT_FOUND, "this worker has no accounts file; cannot resolve " + accountId);
    };
  }

  private static StepHook testHook() {
    String pauses = System.getenv("FERRY_TEST_PAUSE");
    if (pauses == null || pauses.isBlank()) {
      return StepHook.NONE;
    }
    Map<String, String> pauseAt = new HashMap<>();
    for (String pause : pauses.split(";")) {
      int equals = pause.indexOf('=');
      pauseAt.put(pause.substring(0, equals).trim(), pause.substring(equals + 1).trim());
    }
    Path markers = Path.of(System.getenv().getOrDefault("FERRY_TEST_PAUSE_MARKERS", "."));
    Map<String, Integer> calls = new java.util.concurrent.ConcurrentHashMap<>();
    return (jobId, step, bytesDone) -> {
      String wanted = pauseAt.get(jobId);
      if (wanted == null) {
        return;
      }
      int at = wanted.indexOf('@');
      int hash = at >= 0 ? at : wanted.indexOf('#');
      StepName pauseIn = StepName.valueOf(hash < 0 ? wanted : wanted.substring(0, hash));
      if (step != pauseIn) {
        return;
      }
      if (at >= 0) {
        // The first boundary at or past a byte offset (block boundaries come closer together
        // where a disk's map is fragmented, so a count would not say how far the step got).
        if (bytesDone < Long.parseLong(wanted.substring(at + 1)) || calls.putIfAbsent(jobId + "/" + step, 1) != null) {
          return;
        }
      } else {
        // The N-th boundary, or the step's last one (bytes 1) when the step has fewer than N.
        int atCall = hash < 0 ? 1 : Integer.parseInt(wanted.substring(hash + 1));
        int call = calls.merge(jobId + "/" + step, 1, Integer::sum);
        if (call != atCall && !(call < atCall && bytesDone == 1)) {
          return;
        }
      }
      try {
        Files.writeString(markers.resolve(jobId), step + " " + bytesDone);
        new CountDownLatch(1).await();
      } catch (IOException | InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  private static Map<String, String> strings(JsonNode node) {
    Map<String, String> values = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      values.put(field.getKey(), field.getValue().asText());
    }
    return values;
  }

  private static Map<String, String> parse(String[] arguments) {
    Map<String, String> options = new HashMap<>();
    for (String argument : arguments) {
      if (!argument.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument: " + argument);
      }
      int equals = argument.indexOf('=');
      if (equals < 0) {
        options.put(argument.substring(2), "true");
      } else {
        options.put(argument.substring(2, equals), argument.substring(equals + 1));
      }
    }
    return options;
  }

  private static String option(Map<String, String> options, String name, String environment, String fallback) {
    String value = options.get(name);
    if (value == null) {
      value = System.getenv(environment);
    }
    return value == null || value.isBlank() ? fallback : value;
  }
}
