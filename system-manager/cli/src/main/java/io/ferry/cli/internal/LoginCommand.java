package io.ferry.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Checks a URL and token and saves them for later commands. */
@Command(name = "login", description = "Check the URL and API token and save them (file mode 600) for later commands."
    + " Without --token and FERRY_TOKEN the token is read from the terminal or standard input.")
final class LoginCommand extends Commands implements Callable<Integer> {

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() throws IOException {
    Terminal terminal = terminal();
    if (connection.resolvedUrl(terminal) == null) {
      throw new CliException(ExitCode.USAGE, "no system manager URL: pass --url or set FERRY_URL");
    }
    if (connection.token == null && terminal.environment().get("FERRY_TOKEN") == null) {
      connection.token = readToken(terminal);
    }
    FerryClient client = connection.client(terminal, JSON);
    JsonNode me = client.get("api/v1/auth/me");
    Path file = terminal.configFile();
    Properties properties = new Properties();
    properties.setProperty("url", client.base().toString());
    properties.setProperty("token", connection.resolvedToken(terminal));
    Files.createDirectories(file.getParent());
    Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(temporary);
    try {
      Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(temporary);
    }
    try (Writer writer = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
      properties.store(writer, "ferry login");
    }
    Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    terminal.out().println("Signed in to " + client.base() + " as " + me.path("username").asText() + " (role "
        + me.path("role").asText() + "); saved in " + file);
    terminal.out().flush();
    return ExitCode.OK.status();
  }

  private static String readToken(Terminal terminal) throws IOException {
    java.io.Console console = System.console();
    if (terminal.interactive() && console != null) {
      char[] typed = console.readPassword("API token: ");
      return typed == null ? null : new String(typed);
    }
    BufferedReader reader = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    return reader.readLine();
  }
}
