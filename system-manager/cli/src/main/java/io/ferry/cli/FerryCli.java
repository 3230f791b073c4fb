package io.ferry.cli;

import io.ferry.cli.internal.CliException;
import io.ferry.cli.internal.RootCommand;
import io.ferry.cli.internal.ExitCode;
import io.ferry.cli.internal.Terminal;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;

/**
 * {@code ferry}: the command line for CI pipelines. {@link #run} is the whole program with its
 * environment passed in, so tests run it in-process against a real server.
 */
public final class FerryCli {

  private FerryCli() {}

  public static void main(String[] args) {
    Terminal terminal = new Terminal(System.getenv(), writer(System.out), writer(System.err),
        System.console() != null && !"dumb".equals(System.getenv("TERM")), duration -> Thread.sleep(duration.toMillis()));
    System.exit(run(terminal, args));
  }

  /**
   * Runs one command.
   *
   * @param terminal the environment variables, output streams and whether a person watches
   * @param args the command line, such as {@code migrate --source lab:debian --target aws --wait}
   * @return the exit status (see the module's README)
   */
  public static int run(Terminal terminal, String... args) {
    CommandLine commandLine = new CommandLine(new RootCommand(terminal))
        .setOut(terminal.out())
        .setErr(terminal.err())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler((exception, line, parsed) -> {
          if (exception instanceof CliException failure) {
            terminal.err().println("ferry: " + failure.getMessage());
            terminal.err().flush();
            return failure.exitCode().status();
          }
          throw exception;
        });
    commandLine.setParameterExceptionHandler((exception, arguments) -> {
      terminal.err().println("ferry: " + exception.getMessage());
      exception.getCommandLine().usage(terminal.err());
      terminal.err().flush();
      return ExitCode.USAGE.status();
    });
    int status = commandLine.execute(args);
    terminal.out().flush();
    terminal.err().flush();
    return status;
  }

  /** A terminal for tests and embedders: the given streams, no progress bar, no waiting. */
  public static Terminal terminal(Map<String, String> environment, OutputStream out, OutputStream err) {
    return new Terminal(environment, writer(out), writer(err), false, duration -> Thread.sleep(Math.min(duration.toMillis(), 200)));
  }

  private static PrintWriter writer(OutputStream stream) {
    return new PrintWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), true);
  }
}
