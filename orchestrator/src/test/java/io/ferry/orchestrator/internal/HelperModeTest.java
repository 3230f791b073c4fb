package io.ferry.orchestrator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.orchestrator.AgentChannel.Instruction;
import io.ferry.orchestrator.AgentChannel.State;
import io.ferry.orchestrator.HelperModeSettings;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.spi.Capability;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HelperModeTest {

  private static final URI URL = URI.create("http://127.0.0.1:8080");
  private static final Set<Capability> BOTH = EnumSet.of(Capability.DIRECT_UPLOAD, Capability.HELPER_MODE);
  private static final Set<Capability> HELPER_ONLY = EnumSet.of(Capability.HELPER_MODE);
  private static final Set<Capability> DIRECT_ONLY = EnumSet.of(Capability.DIRECT_UPLOAD);

  @Test
  void directUploadIsPreferredAndHelperModeIsTheFallback() {
    assertThat(HelperMode.chooseMode(null, BOTH, "local", URL)).isEqualTo("direct");
    assertThat(HelperMode.chooseMode(" ", DIRECT_ONLY, "aws", null)).isEqualTo("direct");
    assertThat(HelperMode.chooseMode(null, HELPER_ONLY, "openstack", URL)).isEqualTo("helper");
  }

  @Test
  void theJobOptionChoosesTheMode() {
    assertThat(HelperMode.chooseMode("helper", BOTH, "local", URL)).isEqualTo("helper");
    assertThat(HelperMode.chooseMode("direct", BOTH, "local", URL)).isEqualTo("direct");
  }

  @Test
  void refusesWhatTheTargetCannotDo() {
    assertThatThrownBy(() -> HelperMode.chooseMode(null, EnumSet.noneOf(Capability.class), "bare", URL))
        .isInstanceOfSatisfying(FerryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED))
        .hasMessageContaining("neither");
    assertThatThrownBy(() -> HelperMode.chooseMode("helper", DIRECT_ONLY, "aws", URL))
        .isInstanceOfSatisfying(FerryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED))
        .hasMessageContaining("no helper mode");
    assertThatThrownBy(() -> HelperMode.chooseMode("direct", HELPER_ONLY, "openstack", URL))
        .isInstanceOfSatisfying(FerryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED));
    assertThatThrownBy(() -> HelperMode.chooseMode("sideways", BOTH, "local", URL))
        .isInstanceOfSatisfying(FerryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
        .hasMessageContaining("sideways");
  }

  @Test
  void helperModeNeedsAControlPlaneUrl() {
    assertThatThrownBy(() -> HelperMode.chooseMode(null, HELPER_ONLY, "openstack", null))
        .isInstanceOfSatisfying(FerryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
        .hasMessageContaining("control plane");
  }

  @Test
  void anAgentFailureKeepsItsCodeAndSoItsRetryability() {
    FerryException noSpace = HelperMode.failure(failed("NO_SPACE", "device full"));
    assertThat(noSpace.code()).isEqualTo(ErrorCode.NO_SPACE);
    assertThat(noSpace.retryable()).isFalse();
    assertThat(noSpace.getMessage()).contains("restore-1", "device full");
    assertThat(HelperMode.failure(failed("IO_ERROR", "reset")).retryable()).isTrue();
    assertThat(HelperMode.failure(failed("SOMETHING_NEW", "?")).code()).isEqualTo(ErrorCode.INTERNAL);
  }

  @Test
  void theBootstrapIsOneArgumentALineWithoutTheToken() {
    HelperMode mode = new HelperMode(null, null, HelperModeSettings.defaults()
        .withTiming(Duration.ofMinutes(1), Duration.ofMillis(300)), Clock.systemUTC());
    assertThat(mode.bootstrap(URL, "job-1").lines().toList())
        .containsExactly("daemon", "--control-plane", URL.toString(), "--job", "job-1", "--poll-seconds", "1");
  }

  private static Instruction failed(String code, String message) {
    return new Instruction("job-1", "restore-1", "restore", null, State.FAILED, null, 0, -1, null, code, false,
        message);
  }
}
