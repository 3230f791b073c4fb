package io.ferry.orchestrator;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * How the orchestrator runs migrations in helper mode (a helper VM in the target cloud runs the
 * guest agent, which fetches its instructions and the bundle from the control plane).
 *
 * @param controlPlane the base URL the helper's agent calls ({@code {controlPlane}/api/v1/agent/...});
 *     a supplier because a server may know its own port only once it listens; it may supply
 *     null, and then PLAN refuses helper mode
 * @param tokenLifetime how long a job token is valid (it is revoked by CLEANUP before that)
 * @param silenceLimit how long the agent may stay silent (no poll, progress, report or download)
 *     before the helper counts as dead and the waiting step fails
 * @param pollInterval how often the agent polls and the waiting step looks at its answers
 */
public record HelperModeSettings(
    Supplier<URI> controlPlane, Duration tokenLifetime, Duration silenceLimit, Duration pollInterval) {

  public HelperModeSettings {
    Objects.requireNonNull(controlPlane, "controlPlane");
    Objects.requireNonNull(tokenLifetime, "tokenLifetime");
    Objects.requireNonNull(silenceLimit, "silenceLimit");
    Objects.requireNonNull(pollInterval, "pollInterval");
  }

  /** No control plane (helper mode refused), 24-hour tokens, 10 minutes of silence, 2-second polls. */
  public static HelperModeSettings defaults() {
    return new HelperModeSettings(() -> null, Duration.ofHours(24), Duration.ofMinutes(10), Duration.ofSeconds(2));
  }

  /** These settings with the control plane at {@code url}. */
  public HelperModeSettings withControlPlane(Supplier<URI> url) {
    return new HelperModeSettings(url, tokenLifetime, silenceLimit, pollInterval);
  }

  /** These settings with the given silence limit and poll interval. */
  public HelperModeSettings withTiming(Duration silenceLimit, Duration pollInterval) {
    return new HelperModeSettings(controlPlane, tokenLifetime, silenceLimit, pollInterval);
  }
}
