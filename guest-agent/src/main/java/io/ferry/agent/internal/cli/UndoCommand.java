package io.ferry.agent.internal.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ferry-agent undo}. */
@Command(name = "undo", mixinStandardHelpOptions = true,
    description = "Revert a strip or inject from its backup area (secrets are never restorable).")
public final class UndoCommand implements Callable<Integer> {

  @Mixin RootOptions options;

  @Option(names = "--run", paramLabel = "RUN-ID", description = "The run to revert (default: the latest).")
  String runId;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    var report = options.onRoot(false, (agent, root, agentOptions) -> agent.undo(root, runId, agentOptions));
    Printer.print(spec.commandLine().getOut(), report, options.json());
    return 0;
  }
}
