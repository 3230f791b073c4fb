package io.ferry.agent.image;

import io.ferry.agent.internal.cli.Subcommands;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ferry-agent image ...}: disk image commands. */
@Command(
    name = "image",
    mixinStandardHelpOptions = true,
    description = "Inspect, convert and compare disk images of any supported format.")
public final class ImageCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The subcommands, in the order the help lists them; each is built only when a run needs it. */
  static Subcommands subcommands() {
    return new Subcommands()
        .add("info", InfoCommand::new)
        .add("convert", ConvertCommand::new)
        .add("compare", CompareCommand::new);
  }

  /**
   * The {@code image} command with the one subcommand {@code args[depth]} names, or all of them
   * when it names none.
   */
  public static CommandLine commandLine(String[] args, int depth) {
    return subcommands().registerOn(new CommandLine(new ImageCommand()), args, depth);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
