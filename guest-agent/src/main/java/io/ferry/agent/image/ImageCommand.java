package io.ferry.agent.image;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ferry-agent image ...}: disk image commands. */
@Command(
    name = "image",
    mixinStandardHelpOptions = true,
    description = "Inspect, convert and compare disk images of any supported format.",
    subcommands = {InfoCommand.class, ConvertCommand.class, CompareCommand.class})
public final class ImageCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
