package io.ferry.agent.image;

import io.ferry.standardization.FerryException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/** Shared error handling of the image commands: a clear one-line message and an exit status. */
final class ImageCommands {

  private ImageCommands() {}

  /** Runs {@code body}; Ferry, I/O and argument errors print one line and give {@code errorStatus}. */
  static int guard(CommandLine.Model.CommandSpec spec, int errorStatus, Callable<Integer> body)
      throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    try {
      return body.call();
    } catch (FerryException e) {
      err.println(spec.qualifiedName() + ": " + e.code() + ": " + e.getMessage());
    } catch (IOException e) {
      err.println(spec.qualifiedName() + ": I/O error: " + e);
    } catch (IllegalArgumentException e) {
      err.println(spec.qualifiedName() + ": " + e.getMessage());
    }
    err.flush();
    return errorStatus;
  }
}
