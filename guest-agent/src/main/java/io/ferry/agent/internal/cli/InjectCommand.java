package io.ferry.agent.internal.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ferry-agent inject --target CLOUD}. */
@Command(name = "inject", mixinStandardHelpOptions = true,
    description = "Add the target cloud's layer: datasource, agent services, initramfs drivers, kernel console arguments.")
public final class InjectCommand implements Callable<Integer> {

  @Mixin RootOptions options;

  @Option(names = "--target", required = true, paramLabel = "CLOUD", description = "The cloud whose layer to add.")
  String target;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    var report = options.onRoot(false, (agent, root, agentOptions) -> agent.inject(root, target, agentOptions));
    Printer.print(spec.commandLine().getOut(), report, options.json());
    return 0;
  }
}
