package io.ferry.cli.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * Where the system manager is and the API token: the flags, else FERRY_URL and FERRY_TOKEN, else
 * what {@code ferry login} saved.
 */
public class ConnectionOptions {

  @Option(names = "--url", paramLabel = "URL", description = "The system manager, such as https://ferry.example.com (default: $FERRY_URL, then the saved login).")
  String url;

  @Option(names = "--token", paramLabel = "TOKEN", description = "An API token (default: $FERRY_TOKEN, then the saved login). Prefer the variable: flags show in process lists.")
  String token;

  /** The saved login, empty when there is none. */
  static Properties saved(Terminal terminal) {
    Properties properties = new Properties();
    Path file = terminal.configFile();
    if (Files.isRegularFile(file)) {
      try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        properties.load(reader);
      } catch (IOException e) {
        throw new CliException(ExitCode.USAGE, "cannot read " + file + ": " + e.getMessage(), e);
      }
    }
    return properties;
  }

  String resolvedUrl(Terminal terminal) {
    return first(url, terminal.environment().get("FERRY_URL"), saved(terminal).getProperty("url"));
  }

  String resolvedToken(Terminal terminal) {
    return first(token, terminal.environment().get("FERRY_TOKEN"), saved(terminal).getProperty("token"));
  }

  /** A client for the resolved URL and token; a clear usage error when either is missing. */
  FerryClient client(Terminal terminal, ObjectMapper json) {
    String base = resolvedUrl(terminal);
    if (base == null) {
      throw new CliException(ExitCode.USAGE, "no system manager URL: set FERRY_URL, pass --url or run ferry login");
    }
    String secret = resolvedToken(terminal);
    if (secret == null) {
      throw new CliException(ExitCode.USAGE,
          "no API token: set FERRY_TOKEN, pass --token or run ferry login (create a token in the dashboard under API tokens)");
    }
    return new FerryClient(parseUrl(base), secret.strip(), json);
  }

  static URI parseUrl(String text) {
    try {
      URI uri = new URI(text.strip().endsWith("/") ? text.strip() : text.strip() + "/");
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new URISyntaxException(text, "not an http or https URL");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new CliException(ExitCode.USAGE, "the URL '" + text + "' is not an http(s) URL such as http://localhost:8080");
    }
  }

  private static String first(String... values) {
    for (String value : values) {
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    return null;
  }
}
