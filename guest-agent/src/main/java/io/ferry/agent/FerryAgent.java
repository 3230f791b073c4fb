package io.ferry.agent;

import io.ferry.agent.image.ImageCommand;
import io.ferry.agent.internal.cli.DaemonCommand;
import io.ferry.agent.internal.cli.DetectCommand;
import io.ferry.agent.internal.cli.InjectCommand;
import io.ferry.agent.internal.cli.StripCommand;
import io.ferry.agent.internal.cli.Subcommands;
import io.ferry.agent.internal.cli.UndoCommand;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskImages;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The guest agent's executable: {@code java -jar ferry-agent.jar <command>}. */
@Command(
    name = "ferry-agent",
    mixinStandardHelpOptions = true,
    version = "ferry-agent 0.1.0",
    description = "Detects, strips and injects cloud layers, and converts disk images.")
public final class FerryAgent implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the agent and exits with its status. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** The subcommands, in the order the help lists them; each is built only when a run needs it. */
  static Subcommands subcommands(String... args) {
    return new Subcommands()
        .add("image", () -> ImageCommand.commandLine(args, 1))
        .add("detect", DetectCommand::new)
        .add("strip", StripCommand::new)
        .add("inject", InjectCommand::new)
        .add("undo", UndoCommand::new)
        .add("daemon", DaemonCommand::new);
  }

  /** Runs the agent and returns its exit status (for tests and embedding). */
  public static int run(String... args) {
    if (args.length > 0 && args[0].equals("image")) {
      // Detecting the input's format (and loading JNA for a raw one) overlaps picocli's start-up.
      List<Path> candidates = new ArrayList<>();
      for (int i = 2; i < args.length; i++) {
        if (!args[i].startsWith("-")) {
          try {
            candidates.add(Path.of(args[i]));
          } catch (InvalidPathException notAPath) {
            // picocli reports it
          }
        }
      }
      DiskImages.prepareToOpen(candidates);
    }
    return commandLine(args).execute(args);
  }

  /**
   * The agent's command line, ready to execute {@code args}: it holds the model of the
   * subcommand they name only (or of all, when they name none), and maps Ferry's errors to a
   * one-line message and an exit status.
   */
  public static CommandLine commandLine(String... args) {
    return subcommands(args)
        .registerOn(new CommandLine(new FerryAgent()), args, 0)
        .setExecutionExceptionHandler(
            (exception, commandLine, parseResult) -> {
              if (exception instanceof FerryException ferry) {
                commandLine.getErr().println("error: " + ferry.code() + ": " + ferry.getMessage());
                commandLine.getErr().flush();
                return ferry.code() == io.ferry.standardization.ErrorCode.OS_UNSUPPORTED ? 3 : 2;
              }
              throw exception;
            });
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
