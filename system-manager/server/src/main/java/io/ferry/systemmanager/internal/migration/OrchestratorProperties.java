package io.ferry.systemmanager.internal.migration;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code ferry.orchestrator.*} configuration: whether this server runs the migration workflow
 * (the orchestrator module) in-process, and where its files live.
 *
 * @param enabled run the real workflow; when false a recording stand-in only keeps migrations queued
 * @param workers steps this server runs at once (0: submit only, workers run elsewhere)
 * @param agentJar the guest agent's jar ({@code guest-agent/target/ferry-agent.jar} by default)
 * @param workDirectory scratch disks, one folder per job ({@code ${ferry.home}/work} when unset)
 * @param store the local bundle store ({@code ${ferry.home}/store} when unset)
 */
@ConfigurationProperties("ferry.orchestrator")
public record OrchestratorProperties(
    @DefaultValue("false") boolean enabled,
    @DefaultValue("2") int workers,
    @DefaultValue("guest-agent/target/ferry-agent.jar") Path agentJar,
    Path workDirectory,
    Path store) {}
