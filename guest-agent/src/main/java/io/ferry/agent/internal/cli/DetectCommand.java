package io.ferry.agent.internal.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ferry-agent detect}. */
@Command(name = "detect", mixinStandardHelpOptions = true,
    description = "Detect the OS, package manager, init system, boot mode, kernels, agents and cloud layers.")
public final class DetectCommand implements Callable<Integer> {

  @Mixin RootOptions options;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    options.dryRun = true;
    var description = options.onRoot(true, (agent, root, agentOptions) -> agent.detect(root, agentOptions));
    Printer.print(spec.commandLine().getOut(), description, options.json());
    return 0;
  }
}
