package io.ferry.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferry.orchestrator.AgentChannel.State;
import io.ferry.orchestrator.support.TestDatabase;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.bundle.LocalChunkStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The helper-mode channel on a real PostgreSQL, with a settable clock. */
class AgentChannelIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String URL = TestDatabase.newDatabase();

  @TempDir Path store;

  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  private final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  };
  private DataSource dataSource;
  private AgentChannel channel;

  @BeforeEach
  void channel() throws Exception {
    dataSource = TestDatabase.dataSource(URL);
    try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
      statement.execute("truncate orchestrator_agent_session, orchestrator_agent_token, orchestrator_agent_instruction");
    }
    channel = new AgentChannel(dataSource, clock, new LocalChunkStore(store, clock));
  }

  @Test
  void aTokenStandsForItsJobUntilItExpiresOrIsRevoked() throws Exception {
    String token = channel.issueToken("job-1", "tenant-1", Duration.ofHours(1));
    String other = channel.issueToken("job-2", "tenant-2", Duration.ofHours(3));

    assertThat(token).startsWith(AgentChannel.TOKEN_PREFIX);
    assertThat(channel.authenticate(token)).contains(new AgentChannel.Caller("job-1", "tenant-1"));
    assertThat(channel.authenticate(other)).contains(new AgentChannel.Caller("job-2", "tenant-2"));
    assertThat(channel.authenticate(token + "x")).isEmpty();
    assertThat(channel.authenticate("ferry_" + token.substring(AgentChannel.TOKEN_PREFIX.length()))).isEmpty();
    assertThat(channel.authenticate(null)).isEmpty();
    try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("select token_hash from orchestrator_agent_token")) {
      while (rows.next()) {
        assertThat(rows.getString(1)).hasSize(64).isNotIn(token, other);
      }
    }

    now.set(now.get().plus(Duration.ofMinutes(61)));
    assertThat(channel.authenticate(token)).as("expired").isEmpty();

    String fresh = channel.issueToken("job-1", "tenant-1", Duration.ofHours(1));
    assertThat(channel.liveTokens("job-1")).isEqualTo(1);
    assertThat(channel.revokeTokens("job-1")).as("the expired one and the fresh one").isEqualTo(2);
    assertThat(channel.authenticate(fresh)).as("revoked").isEmpty();
    assertThat(channel.liveTokens("job-1")).isZero();
    assertThat(channel.authenticate(other)).as("another job's token is untouched").isPresent();
  }

  @Test
  void authenticatingRecordsWhenTheAgentWasLastSeen() {
    String token = channel.issueToken("job-1", "tenant-1", Duration.ofHours(1));
    assertThat(channel.lastSeen("job-1")).isEmpty();
    channel.authenticate(token);
    Instant first = now.get();
    assertThat(channel.lastSeen("job-1")).contains(first);
    now.set(first.plusMillis(200));
    channel.authenticate(token);
    assertThat(channel.lastSeen("job-1")).as("not rewritten more than once a second").contains(first);
    now.set(first.plusSeconds(5));
    channel.authenticate(token);
    assertThat(channel.lastSeen("job-1")).contains(first.plusSeconds(5));
  }

  @Test
  void instructionsArePendingUntilTheirFirstReport() throws Exception {
    channel.issueToken("job-1", "tenant-1", Duration.ofHours(1));
    ObjectNode fields = JSON.createObjectNode().put("image", "/dev/vdb").put("id", "ignored");
    assertThat(channel.queue("job-1", "restore-1", "restore", fields)).isTrue();
    assertThat(channel.queue("job-1", "restore-1", "restore", fields)).as("idempotent").isFalse();
    channel.queue("job-1", "inject-1", "inject", JSON.createObjectNode().put("cloud", "kvm"));

    AgentChannel.Pending pending = channel.pending("job-1");
    assertThat(pending.done()).isFalse();
    assertThat(pending.instructions()).extracting(AgentChannel.Instruction::id).containsExactly("restore-1", "inject-1");
    assertThat(pending.instructions().get(0).payload().toString())
        .isEqualTo("{\"id\":\"restore-1\",\"operation\":\"restore\",\"image\":\"/dev/vdb\"}");

    assertThat(channel.progress("job-1", "restore-1", "half", 50, 100)).isTrue();
    assertThat(channel.instruction("job-1", "restore-1").orElseThrow())
        .satisfies(i -> {
          assertThat(i.state()).isEqualTo(State.RUNNING);
          assertThat(i.bytesDone()).isEqualTo(50);
          assertThat(i.progressMessage()).isEqualTo("half");
        });
    assertThat(channel.report("job-1", "restore-1", JSON.readTree("{\"bytesWritten\":100}"), null, false, null)).isTrue();
    assertThat(channel.report("job-1", "restore-1", null, "IO_ERROR", true, "late")).as("exists").isTrue();
    assertThat(channel.progress("job-1", "restore-1", "late progress", 1, 100)).isTrue();
    AgentChannel.Instruction restored = channel.instruction("job-1", "restore-1").orElseThrow();
    assertThat(restored.state()).as("the first report wins").isEqualTo(State.SUCCEEDED);
    assertThat(restored.report()).isEqualTo("{\"bytesWritten\":100}");
    assertThat(restored.bytesDone()).isEqualTo(50);

    channel.report("job-1", "inject-1", null, "OS_UNSUPPORTED", false, "no os-release");
    AgentChannel.Instruction failed = channel.instruction("job-1", "inject-1").orElseThrow();
    assertThat(failed.state()).isEqualTo(State.FAILED);
    assertThat(failed.errorCode()).isEqualTo("OS_UNSUPPORTED");
    assertThat(failed.errorMessage()).isEqualTo("no os-release");
    assertThat(channel.pending("job-1").instructions()).isEmpty();

    assertThat(channel.progress("job-1", "nope", "x", 0, 0)).isFalse();
    assertThat(channel.report("job-2", "restore-1", null, null, false, null)).as("another job's instruction").isFalse();

    channel.queue("job-1", "digest-1", "digest", JSON.createObjectNode());
    channel.finish("job-1");
    assertThat(channel.pending("job-1")).satisfies(p -> {
      assertThat(p.done()).isTrue();
      assertThat(p.instructions()).isEmpty();
    });
    assertThat(channel.pending("unknown-job").done()).isTrue();
  }

  @Test
  void aJobWithoutABundleServesNothing() {
    assertThatThrownBy(() -> channel.manifest("job-without-row"))
        .isInstanceOfSatisfying(FerryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    assertThatThrownBy(() -> channel.chunk("job-without-row", "../../etc/passwd"))
        .isInstanceOfSatisfying(FerryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
  }
}
