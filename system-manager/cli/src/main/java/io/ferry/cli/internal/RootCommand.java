package io.ferry.cli.internal;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The root: only holds the terminal and lists the subcommands. */
@Command(name = "ferry", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
    description = "Moves VM images between clouds through a Ferry system manager.",
    subcommands = {LoginCommand.class, MigrateCommand.class, ImagesCommand.class, JobsCommand.class, CancelCommand.class},
    footer = {"", "Configuration: FERRY_URL and FERRY_TOKEN, or --url and --token, or ferry login.",
        "Exit status: 0 done or succeeded, 1 migration failed, 2 usage, 3 token refused,",
        "4 not allowed, 5 migration cancelled, 6 request refused, 7 server unreachable",
        "or failed, 8 --timeout passed."})
public final class RootCommand implements Runnable {
  private final Terminal terminal;
  @Spec CommandSpec spec;

  public RootCommand(Terminal terminal) {
    this.terminal = terminal;
  }

  Terminal terminal() {
    return terminal;
  }

  @Override
  public void run() {
    spec.commandLine().usage(terminal.err());
    throw new CliException(ExitCode.USAGE, "a command is needed");
  }
}
