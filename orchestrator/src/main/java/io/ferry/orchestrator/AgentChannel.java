package io.ferry.orchestrator;

import io.ferry.orchestrator.internal.Jdbc;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.bundle.BundleManifest;
import io.ferry.standardization.bundle.BundleManifests;
import io.ferry.standardization.bundle.ChunkStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * The helper-mode channel between the orchestrator and the guest agent running on a job's helper
 * (tables {@code orchestrator_agent_*}, Flyway V52). The orchestrator issues a job-scoped token
 * and queues instructions; the control plane's agent endpoints authenticate the agent with {@link
 * #authenticate}, list its {@link #pending} instructions, record its {@link #progress} and {@link
 * #report}s and serve it the job's bundle ({@link #manifest}, {@link #chunk}). Only the SHA-256 of
 * a token is stored; tokens expire and are revoked when the job is cleaned up. Plain JDBC, every
 * method one short transaction; thread-safe.
 */
public final class AgentChannel {

  /** What every job token starts with (API tokens start with {@code ferry_} and a letter). */
  public static final String TOKEN_PREFIX = "ferry_job_";

  /** Instruction states. */
  public enum State {
    QUEUED,
    RUNNING,
    SUCCEEDED,
    FAILED;

    /** Whether the instruction ended. */
    public boolean finished() {
      return this == SUCCEEDED || this == FAILED;
    }
  }

  /** The caller a valid token stands for. */
  public record Caller(String jobId, String tenantId) {}

  /**
   * One instruction and what the agent said about it.
   *
   * @param jobId the job
   * @param id unique within the job
   * @param operation what the agent does (restore, inject, digest, ...)
   * @param payload the instruction as the agent receives it (with {@code id} and {@code operation})
   * @param state where it is
   * @param progressMessage the agent's latest progress message
   * @param bytesDone bytes done as the agent reported them
   * @param bytesTotal bytes in all, -1 when unknown
   * @param report the agent's report JSON (SUCCEEDED), or null
   * @param errorCode the agent's error code (FAILED), or null
   * @param errorRetryable whether the agent judged the failure retryable
   * @param errorMessage the agent's error message (FAILED), or null
   */
  public record Instruction(
      String jobId, String id, String operation, ObjectNode payload, State state, String progressMessage,
      long bytesDone, long bytesTotal, String report, String errorCode, boolean errorRetryable,
      String errorMessage) {}

  /** What an agent's poll answers: the instructions to run and whether it should stop. */
  public record Pending(List<Instruction> instructions, boolean done) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern CHUNK_ID = Pattern.compile("[0-9a-f]{64}");
  private static final Duration SEEN_RESOLUTION = Duration.ofSeconds(1);
  private static final int CACHED_BUNDLES = 8;

  private final DataSource dataSource;
  private final Clock clock;
  private final ChunkStore store;
  private final Map<String, Set<String>> chunksByBundle = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Set<String>> eldest) {
      return size() > CACHED_BUNDLES;
    }
  };

  /**
   * A channel on the orchestrator's database.
   *
   * @param store the bundle store served to agents, or null when this process serves no bundles
   */
  public AgentChannel(DataSource dataSource, Clock clock, ChunkStore store) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.store = store;
  }

  // ------------------------------------------------------------------ tokens

  /**
   * Issues a new token for {@code jobId}, valid for {@code lifetime}, and opens the job's session.
   * The token is returned once and never stored.
   */
  public String issueToken(String jobId, String tenantId, Duration lifetime) {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    String token = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    Instant now = clock.instant();
    Jdbc.transaction(dataSource, connection -> {
      Jdbc.update(connection, "insert into orchestrator_agent_session (job_id, tenant_id, created_at) values (?,?,?)"
          + " on conflict (job_id) do update set done = false", jobId, tenantId, now);
      return Jdbc.update(connection, "insert into orchestrator_agent_token (token_hash, job_id, tenant_id, created_at,"
          + " expires_at) values (?,?,?,?,?)", hash(token), jobId, tenantId, now, now.plus(lifetime));
    });
    return token;
  }

  /**
   * The job a token stands for, when it is a job token that is known, not expired and not revoked.
   * Records that the job's agent was seen.
   */
  public Optional<Caller> authenticate(String token) {
    if (token == null || !token.startsWith(TOKEN_PREFIX) || token.length() > 200) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    return Jdbc.transaction(dataSource, connection -> {
      Caller caller = null;
      try (PreparedStatement statement = connection.prepareStatement("select job_id, tenant_id from"
          + " orchestrator_agent_token where token_hash = ? and revoked_at is null and expires_at > ?")) {
        statement.setString(1, hash(token));
        statement.setTimestamp(2, Timestamp.from(now));
        try (ResultSet row = statement.executeQuery()) {
          if (row.next()) {
            caller = new Caller(row.getString(1), row.getString(2));
          }
        }
      }
      if (caller != null) {
        Jdbc.update(connection, "update orchestrator_agent_session set last_seen_at = ? where job_id = ?"
            + " and (last_seen_at is null or last_seen_at < ?)", now, caller.jobId(), now.minus(SEEN_RESOLUTION));
      }
      return Optional.ofNullable(caller);
    });
  }

  /** Revokes every token of the job (expired ones too) and tells its agent to stop; returns how many it revoked. */
  public int revokeTokens(String jobId) {
    Instant now = clock.instant();
    return Jdbc.transaction(dataSource, connection -> {
      Jdbc.update(connection, "update orchestrator_agent_session set done = true where job_id = ?", jobId);
      return Jdbc.update(connection, "update orchestrator_agent_token set revoked_at = ? where job_id = ?"
          + " and revoked_at is null", now, jobId);
    });
  }

  /** How many tokens of the job are usable now. */
  public int liveTokens(String jobId) {
    Instant now = clock.instant();
    return Jdbc.transaction(dataSource, connection -> {
      try (PreparedStatement statement = connection.prepareStatement("select count(*) from orchestrator_agent_token"
          + " where job_id = ? and revoked_at is null and expires_at > ?")) {
        statement.setString(1, jobId);
        statement.setTimestamp(2, Timestamp.from(now));
        try (ResultSet row = statement.executeQuery()) {
          row.next();
          return row.getInt(1);
        }
      }
    });
  }

  /** When the job's agent last called the control plane, if ever. */
  public Optional<Instant> lastSeen(String jobId) {
    return Jdbc.transaction(dataSource, connection -> {
      try (PreparedStatement statement = connection.prepareStatement(
          "select last_seen_at from orchestrator_agent_session where job_id = ?")) {
        statement.setString(1, jobId);
        try (ResultSet row = statement.executeQuery()) {
          if (!row.next() || row.getTimestamp(1) == null) {
            return Optional.empty();
          }
          return Optional.of(row.getTimestamp(1).toInstant());
        }
      }
    });
  }

  /** Tells the job's agent that no instruction will follow (its next poll answers done). */
  public void finish(String jobId) {
    Jdbc.transaction(dataSource, connection -> Jdbc.update(connection, "update orchestrator_agent_session set done = true where job_id = ?",
        jobId));
  }

  // ------------------------------------------------------------------ instructions

  /**
   * Queues an instruction unless one with the id exists; returns whether it was new.
   *
   * @param fields the instruction's fields for the agent besides {@code id} and {@code operation}
   */
  public boolean queue(String jobId, String id, String operation, ObjectNode fields) {
    ObjectNode payload = JSON.createObjectNode();
    payload.put("id", id);
    payload.put("operation", operation);
    fields.fields().forEachRemaining(field -> {
      if (!field.getKey().equals("id") && !field.getKey().equals("operation")) {
        payload.set(field.getKey(), field.getValue());
      }
    });
    Instant now = clock.instant();
    return Jdbc.transaction(dataSource, connection -> Jdbc.update(connection, "insert into orchestrator_agent_instruction (job_id, id,"
        + " position, operation, payload, state, created_at, updated_at) values (?, ?, (select coalesce(max(position), 0)"
        + " + 1 from orchestrator_agent_instruction where job_id = ?), ?, ?, 'QUEUED', ?, ?) on conflict do nothing",
        jobId, id, jobId, operation, payload.toString(), now, now) == 1);
  }

  /** One instruction of the job. */
  public Optional<Instruction> instruction(String jobId, String id) {
    return instructions(jobId, "and id = ?", id).stream().findFirst();
  }

  /** Every instruction of the job, in the order they were queued. */
  public List<Instruction> instructions(String jobId) {
    return instructions(jobId, "", null);
  }

  /** The instructions the agent should run (queued or running) and whether the job is done with it. */
  public Pending pending(String jobId) {
    List<Instruction> open = instructions(jobId, "and state in ('QUEUED','RUNNING')", null);
    boolean done = Jdbc.transaction(dataSource, connection -> {
      try (PreparedStatement statement = connection.prepareStatement(
          "select done from orchestrator_agent_session where job_id = ?")) {
        statement.setString(1, jobId);
        try (ResultSet row = statement.executeQuery()) {
          return !row.next() || row.getBoolean(1);
        }
      }
    });
    return new Pending(done ? List.of() : open, done);
  }

  /**
   * Records the agent's progress on an instruction: a queued one becomes RUNNING; a finished one
   * keeps its state (progress arriving late is ignored). Returns whether the instruction exists.
   */
  public boolean progress(String jobId, String id, String message, long bytesDone, long bytesTotal) {
    Instant now = clock.instant();
    return Jdbc.transaction(dataSource, connection -> {
      int found = Jdbc.update(connection, "update orchestrator_agent_instruction set state = case when state = 'QUEUED'"
          + " then 'RUNNING' else state end, progress_message = ?, bytes_done = case when ? >= 0 then ? else bytes_done"
          + " end, bytes_total = case when ? >= 0 then ? else bytes_total end, updated_at = ? where job_id = ? and id = ?"
          + " and state in ('QUEUED','RUNNING')", Jdbc.truncate(message), bytesDone, bytesDone, bytesTotal, bytesTotal, now,
          jobId, id);
      return found == 1 || exists(connection, jobId, id);
    });
  }

  /**
   * Records the agent's report on an instruction. The first report wins: a report on a finished
   * instruction changes nothing. Returns whether the instruction exists.
   *
   * @param report the agent's report (success), or null
   * @param errorCode the agent's error code (failure), or null for success
   */
  public boolean report(String jobId, String id, JsonNode report, String errorCode, boolean retryable,
      String errorMessage) {
    Instant now = clock.instant();
    boolean failed = errorCode != null;
    return Jdbc.transaction(dataSource, connection -> {
      int found = Jdbc.update(connection, "update orchestrator_agent_instruction set state = ?, report = ?, error_code = ?,"
          + " error_retryable = ?, error_message = ?, updated_at = ?, finished_at = ? where job_id = ? and id = ?"
          + " and state in ('QUEUED','RUNNING')", failed ? State.FAILED.name() : State.SUCCEEDED.name(),
          report == null ? null : report.toString(), failed ? Jdbc.truncate(errorCode) : null, failed && retryable,
          failed ? Jdbc.truncate(errorMessage == null ? "no message" : errorMessage) : null, now, now, jobId, id);
      return found == 1 || exists(connection, jobId, id);
    });
  }

  // ------------------------------------------------------------------ the job's bundle

  /**
   * The manifest JSON of the job's bundle.
   *
   * @throws FerryException NOT_FOUND when the job has no bundle (yet) or this process serves none
   */
  public byte[] manifest(String jobId) throws IOException {
    String bundleId = bundleId(jobId);
    return requireStore().getManifest(bundleId)
        .orElseThrow(() -> new FerryException(ErrorCode.NOT_FOUND, "the bundle of job " + jobId + " is gone"));
  }

  /**
   * The compressed chunk {@code chunkId} of the job's bundle, as stored (a zstd frame).
   *
   * @throws FerryException NOT_FOUND when the chunk is not part of the job's bundle
   */
  public byte[] chunk(String jobId, String chunkId) throws IOException {
    if (chunkId == null || !CHUNK_ID.matcher(chunkId).matches()) {
      throw new FerryException(ErrorCode.NOT_FOUND, "no such chunk");
    }
    String bundleId = bundleId(jobId);
    Set<String> chunks;
    synchronized (chunksByBundle) {
      chunks = chunksByBundle.get(bundleId);
    }
    if (chunks == null) {
      BundleManifest parsed = BundleManifests.fromJson(manifest(jobId), "the bundle of job " + jobId);
      chunks = parsed.chunks().stream().map(BundleManifest.ChunkEntry::sha256).collect(Collectors.toUnmodifiableSet());
      synchronized (chunksByBundle) {
        chunksByBundle.put(bundleId, chunks);
      }
    }
    if (!chunks.contains(chunkId)) {
      throw new FerryException(ErrorCode.NOT_FOUND, "chunk " + chunkId + " is not part of the bundle of job " + jobId);
    }
    return requireStore().getChunk(chunkId);
  }

  private ChunkStore requireStore() {
    if (store == null) {
      throw new FerryException(ErrorCode.NOT_FOUND, "this control plane serves no bundles");
    }
    return store;
  }

  private String bundleId(String jobId) {
    String bundleId = Jdbc.transaction(dataSource, connection -> {
      try (PreparedStatement statement = connection.prepareStatement(
          "select bundle_id from orchestrator_job where id = ?")) {
        statement.setString(1, jobId);
        try (ResultSet row = statement.executeQuery()) {
          return row.next() ? row.getString(1) : null;
        }
      }
    });
    if (bundleId == null) {
      throw new FerryException(ErrorCode.NOT_FOUND, "job " + jobId + " has no bundle");
    }
    return bundleId;
  }

  // ------------------------------------------------------------------ helpers

  private List<Instruction> instructions(String jobId, String condition, String id) {
    return Jdbc.transaction(dataSource, connection -> {
      List<Instruction> found = new ArrayList<>();
      try (PreparedStatement statement = connection.prepareStatement("select * from orchestrator_agent_instruction"
          + " where job_id = ? " + condition + " order by position")) {
        statement.setString(1, jobId);
        if (id != null) {
          statement.setString(2, id);
        }
        try (ResultSet row = statement.executeQuery()) {
          while (row.next()) {
            found.add(new Instruction(jobId, row.getString("id"), row.getString("operation"),
                (ObjectNode) JSON.readTree(row.getString("payload")), State.valueOf(row.getString("state")),
                row.getString("progress_message"), row.getLong("bytes_done"), row.getLong("bytes_total"),
                row.getString("report"), row.getString("error_code"), row.getBoolean("error_retryable"),
                row.getString("error_message")));
          }
        } catch (IOException e) {
          throw new SQLException("a stored instruction of job " + jobId + " is not JSON", e);
        }
      }
      return found;
    });
  }

  private static boolean exists(Connection connection, String jobId, String id) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(
        "select 1 from orchestrator_agent_instruction where job_id = ? and id = ?")) {
      statement.setString(1, jobId);
      statement.setString(2, id);
      try (ResultSet row = statement.executeQuery()) {
        return row.next();
      }
    }
  }

  /** The hex SHA-256 of a token, the only form stored. */
  static String hash(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
