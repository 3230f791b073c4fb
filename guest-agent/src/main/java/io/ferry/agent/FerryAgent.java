package io.ferry.agent;

import io.ferry.agent.image.ImageCommand;
import io.ferry.agent.internal.cli.DaemonCommand;
import io.ferry.agent.internal.cli.DetectCommand;
import io.ferry.agent.internal.cli.InjectCommand;
import io.ferry.agent.internal.cli.StripCommand;
import io.ferry.agent.internal.cli.UndoCommand;
import io.ferry.standardization.FerryException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The guest agent's executable: {@code java -jar ferry-agent.jar <command>}. */
@Command(
    name = "ferry-agent",
    mixinStandardHelpOptions = true,
    version = "ferry-agent 0.1.0",
    description = "Detects, strips and injects cloud layers, and converts disk images.",
    subcommands = {
      ImageCommand.class,
      DetectCommand.class,
      StripCommand.class,
      InjectCommand.class,
      UndoCommand.class,
      DaemonCommand.class
    })
public final class FerryAgent implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the agent and exits with its status. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the agent and returns its exit status (for tests and embedding). */
  public static int run(String... args) {
    return new CommandLine(new FerryAgent())
        .setExecutionExceptionHandler(
            (exception, commandLine, parseResult) -> {
              if (exception instanceof FerryException ferry) {
                commandLine.getErr().println("error: " + ferry.code() + ": " + ferry.getMessage());
                commandLine.getErr().flush();
                return ferry.code() == io.ferry.standardization.ErrorCode.OS_UNSUPPORTED ? 3 : 2;
              }
              throw exception;
            })
        .execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
