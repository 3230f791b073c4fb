package io.ferry.cli.internal;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * What the commands talk to: the environment, the output streams, whether a person watches a
 * terminal (a progress bar) or a CI log reads the lines, and how to wait between status polls.
 */
public record Terminal(
    Map<String, String> environment, PrintWriter out, PrintWriter err, boolean interactive, Sleeper sleeper) {

  /** Waits between polls; tests pass one that returns at once. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  /** Where {@code ferry login} keeps the URL and token. */
  public Path configFile() {
    String explicit = environment.get("FERRY_CONFIG");
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit);
    }
    String xdg = environment.get("XDG_CONFIG_HOME");
    Path base = xdg != null && !xdg.isBlank()
        ? Path.of(xdg)
        : Path.of(environment.getOrDefault("HOME", System.getProperty("user.home")), ".config");
    return base.resolve("ferry").resolve("config");
  }
}
