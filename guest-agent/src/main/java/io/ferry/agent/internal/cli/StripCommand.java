package io.ferry.agent.internal.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ferry-agent strip --source CLOUD}. */
@Command(name = "strip", mixinStandardHelpOptions = true,
    description = "Remove the source cloud's layer and generalize the system (machine-id, host keys, leases, MAC pinning, fstab).")
public final class StripCommand implements Callable<Integer> {

  @Mixin RootOptions options;

  @Option(names = "--source", required = true, paramLabel = "CLOUD", description = "The cloud whose layer to remove (aws, azure, gcp, vsphere, openstack, kvm, ...).")
  String source;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    var report = options.onRoot(false, (agent, root, agentOptions) -> agent.strip(root, source, agentOptions));
    Printer.print(spec.commandLine().getOut(), report, options.json());
    return 0;
  }
}
