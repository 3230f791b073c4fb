package io.ferry.agent.internal.cli;

import io.ferry.agent.daemon.DaemonClient;
import io.ferry.agent.daemon.Instruction;
import io.ferry.agent.layer.AgentOptions;
import io.ferry.agent.layer.LayerAgent;
import io.ferry.agent.offline.OfflineImage;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.layer.CloudLayerCatalogue;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ferry-agent daemon --control-plane URL --job ID --token T}. */
@Command(name = "daemon", mixinStandardHelpOptions = true,
    description = "Helper mode: fetch a job's instructions from the control plane, run them, report progress.")
public final class DaemonCommand implements Callable<Integer> {

  @Option(names = "--control-plane", required = true, paramLabel = "URL") URI controlPlane;

  @Option(names = "--job", required = true, paramLabel = "JOB-ID") String jobId;

  @Option(names = "--token", paramLabel = "TOKEN", description = "The job-scoped token (or FERRY_AGENT_TOKEN in the environment).")
  String token;

  @Option(names = "--poll-seconds", defaultValue = "5") long pollSeconds;

  @Override
  public Integer call() throws Exception {
    String secret = token != null ? token : System.getenv("FERRY_AGENT_TOKEN");
    if (secret == null || secret.isBlank()) {
      throw new FerryException(ErrorCode.INVALID_REQUEST, "give the job token with --token or FERRY_AGENT_TOKEN");
    }
    LayerAgent agent = new LayerAgent(CloudLayerCatalogue.builtIn(), Clock.systemUTC());
    DaemonClient client = new DaemonClient(controlPlane, jobId, secret, instruction -> run(agent, instruction),
        duration -> Thread.sleep(duration.toMillis()), Duration.ofSeconds(pollSeconds));
    int count = client.run();
    System.out.println("job " + jobId + " done: " + count + " instruction(s) run");
    return 0;
  }

  /** Runs one instruction on its root directory or mounted image. */
  public static Object run(LayerAgent agent, Instruction instruction) throws Exception {
    if (instruction.root() != null) {
      return run(agent, Path.of(instruction.root()), instruction, new AgentOptions(instruction.dryRun(), false, Map.of(), Map.of()));
    }
    if (instruction.image() != null) {
      boolean readOnly = instruction.dryRun() || "detect".equals(instruction.operation());
      return new OfflineImage(Path.of(instruction.image()), instruction.partition(), Path.of(System.getProperty("java.io.tmpdir")))
          .run(readOnly, (root, uuids) ->
              run(agent, root, instruction, new AgentOptions(instruction.dryRun(), false, Map.of(), uuids)));
    }
    throw new FerryException(ErrorCode.INVALID_REQUEST, "instruction " + instruction.id() + " names neither root nor image");
  }

  private static Object run(LayerAgent agent, Path root, Instruction instruction, AgentOptions options) {
    return switch (String.valueOf(instruction.operation())) {
      case "detect" -> agent.detect(root, false);
      case "strip" -> agent.strip(root, instruction.cloud(), options);
      case "inject" -> agent.inject(root, instruction.cloud(), options);
      case "undo" -> agent.undo(root, instruction.runId(), instruction.dryRun());
      default -> throw new FerryException(ErrorCode.INVALID_REQUEST,
          "unknown operation '" + instruction.operation() + "' in instruction " + instruction.id());
    };
  }
}
