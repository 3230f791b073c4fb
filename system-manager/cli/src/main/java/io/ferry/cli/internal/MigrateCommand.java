package io.ferry.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Starts a migration and, with --wait, follows it to its end. */
@Command(name = "migrate", description = "Start a migration of an image to another cloud account;"
    + " with --wait follow it and exit by its outcome.")
final class MigrateCommand extends Commands implements Callable<Integer> {

  @Mixin ConnectionOptions connection;

  @Option(names = "--source", required = true, paramLabel = "ACCOUNT:IMAGE",
      description = "The source account (name or id) and image (id or unique name), such as lab:debian-12.qcow2.")
  String source;

  @Option(names = "--target", required = true, paramLabel = "ACCOUNT", description = "The target account (name or id).")
  String target;

  @Option(names = "--name", paramLabel = "NAME", description = "The name of the new image in the target.")
  String name;

  @Option(names = "--option", paramLabel = "KEY=VALUE",
      description = "A migration option, repeatable: mode=helper (run the guest agent on a helper in the target),"
          + " bootCheck=true (VERIFY boots the new image), bootCheckTimeoutSeconds=N.")
  Map<String, String> options = new LinkedHashMap<>();

  @Option(names = "--wait", description = "Follow the migration until it ends; exit 0 only if it succeeded.")
  boolean wait;

  @Option(names = "--timeout", paramLabel = "DURATION", description = "With --wait: give up waiting after this long (ISO-8601 such as PT2H, or 90m, 45s); the migration keeps running.")
  String timeout;

  @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "2", description = "With --wait: seconds between status checks (default ${DEFAULT-VALUE}).")
  double intervalSeconds;

  @Option(names = "--output", paramLabel = "FORMAT", description = "text (default) or json: the migration as the API shows it, on standard output; progress goes to standard error.")
  OutputFormat output = OutputFormat.text;

  @Override
  public Integer call() throws InterruptedException {
    Terminal terminal = terminal();
    int colon = source.indexOf(':');
    if (colon <= 0 || colon == source.length() - 1) {
      throw new CliException(ExitCode.USAGE, "--source must be ACCOUNT:IMAGE, such as lab:debian-12.qcow2");
    }
    if (intervalSeconds <= 0) {
      throw new CliException(ExitCode.USAGE, "--interval must be positive");
    }
    Duration limit = timeout == null ? null : parseDuration(timeout);
    FerryClient client = connection.client(terminal, JSON);
    JsonNode sourceAccount = account(client, source.substring(0, colon));
    JsonNode image = image(client, sourceAccount, source.substring(colon + 1));
    JsonNode targetAccount = account(client, target);
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("sourceAccountId", sourceAccount.path("id").asText());
    request.put("sourceImageId", image.path("id").asText());
    request.put("targetAccountId", targetAccount.path("id").asText());
    Map<String, String> migrationOptions = new LinkedHashMap<>(options);
    if (name != null && !name.isBlank()) {
      migrationOptions.put("targetImageName", name);
    }
    if (!migrationOptions.isEmpty()) {
      request.put("options", migrationOptions);
    }
    JsonNode migration = client.post("api/v1/migrations", request);
    String id = migration.path("id").asText();
    String summary = sourceAccount.path("name").asText() + ":" + image.path("id").asText() + " -> "
        + targetAccount.path("name").asText();
    if (!wait) {
      if (output == OutputFormat.json) {
        printJson(migration);
      } else {
        terminal.out().println("Migration " + id + " started (" + summary + "); follow it with ferry jobs");
        terminal.out().flush();
      }
      return ExitCode.OK.status();
    }
    terminal.err().println("Migration " + id + " started (" + summary + ")");
    terminal.err().flush();
    migration = follow(client, terminal, migration, limit);
    return finish(terminal, migration);
  }

  private JsonNode follow(FerryClient client, Terminal terminal, JsonNode migration, Duration limit)
      throws InterruptedException {
    ProgressView view = new ProgressView();
    Instant started = Instant.now();
    Duration interval = Duration.ofMillis((long) (intervalSeconds * 1000));
    String path = "api/v1/migrations/" + migration.path("id").asText();
    JsonNode current = migration;
    for (;;) {
      show(terminal, view, current);
      if (ProgressView.finished(current.path("state").asText())) {
        if (terminal.interactive()) {
          terminal.err().println();
          terminal.err().flush();
        }
        return current;
      }
      if (limit != null && Duration.between(started, Instant.now()).compareTo(limit) >= 0) {
        if (terminal.interactive()) {
          terminal.err().println();
        }
        if (output == OutputFormat.json) {
          printJson(current);
        }
        throw new CliException(ExitCode.TIMEOUT, "stopped waiting after " + Formats.duration(limit) + ": migration "
            + current.path("id").asText() + " is still " + current.path("state").asText()
            + " (it keeps running; ferry cancel " + current.path("id").asText() + " stops it)");
      }
      terminal.sleeper().sleep(interval);
      current = client.get(path);
      if (reports && "RUNNING".equals(current.path("state").asText())) {
        try {
          current = withStepBytes(current, client.get(path + "/report"));
        } catch (CliException noReport) {
          reports = false; // a server without the report endpoint: percent and step only
        }
      }
    }
  }

  private boolean reports = true;

  /** The migration with the bytes of each step from its report, for the progress bar. */
  static JsonNode withStepBytes(JsonNode migration, JsonNode report) {
    com.fasterxml.jackson.databind.node.ObjectNode copy = migration.deepCopy();
    com.fasterxml.jackson.databind.node.ArrayNode steps = copy.putArray("steps");
    for (JsonNode step : migration.path("steps")) {
      com.fasterxml.jackson.databind.node.ObjectNode merged = step.deepCopy();
      for (JsonNode reported : report.path("steps")) {
        if (reported.path("name").asText().equals(step.path("name").asText())) {
          merged.put("bytesDone", reported.path("bytesDone").asLong());
          merged.put("bytesTotal", reported.path("bytesTotal").asLong(-1));
        }
      }
      steps.add(merged);
    }
    return copy;
  }

  private static void show(Terminal terminal, ProgressView view, JsonNode migration) {
    if (terminal.interactive()) {
      terminal.err().print(view.bar(migration, Instant.now()));
      terminal.err().flush();
    } else {
      view.line(migration).ifPresent(line -> {
        terminal.err().println(line);
        terminal.err().flush();
      });
    }
  }

  private int finish(Terminal terminal, JsonNode migration) {
    String id = migration.path("id").asText();
    String state = migration.path("state").asText();
    if (output == OutputFormat.json) {
      printJson(migration);
    }
    switch (state) {
      case "SUCCEEDED" -> {
        if (output != OutputFormat.json) {
          String result = migration.path("resultImageId").asText("");
          terminal.out().println("Migration " + id + " succeeded" + (result.isEmpty() ? "" : ": new image " + result));
          terminal.out().flush();
        }
        return ExitCode.OK.status();
      }
      case "CANCELLED" -> throw new CliException(ExitCode.CANCELLED, "migration " + id + " was cancelled" + reason(migration));
      default -> throw new CliException(ExitCode.MIGRATION_FAILED, "migration " + id + " failed" + failedStep(migration)
          + reason(migration));
    }
  }

  private static String failedStep(JsonNode migration) {
    for (JsonNode step : migration.path("steps")) {
      if ("FAILED".equals(step.path("state").asText())) {
        return " at step " + step.path("name").asText();
      }
    }
    return "";
  }

  private static String reason(JsonNode migration) {
    String code = migration.path("errorCode").asText("");
    String message = migration.path("errorMessage").asText("");
    if (code.isEmpty() && message.isEmpty() || "CANCELLED".equals(code) && message.isEmpty()) {
      return "";
    }
    return ": " + (code.isEmpty() ? message : message.isEmpty() ? code : code + ": " + message);
  }

  /** "PT2H", "90m", "45s", "2h". */
  static Duration parseDuration(String text) {
    String value = text.strip().toLowerCase(java.util.Locale.ROOT);
    try {
      if (value.startsWith("pt") || value.startsWith("p")) {
        return positive(Duration.parse(value.toUpperCase(java.util.Locale.ROOT)), text);
      }
      long amount = Long.parseLong(value.substring(0, value.length() - 1));
      return positive(switch (value.charAt(value.length() - 1)) {
        case 's' -> Duration.ofSeconds(amount);
        case 'm' -> Duration.ofMinutes(amount);
        case 'h' -> Duration.ofHours(amount);
        default -> throw new NumberFormatException();
      }, text);
    } catch (RuntimeException e) {
      throw new CliException(ExitCode.USAGE, "--timeout '" + text + "' is not a duration such as 45s, 90m, 2h or PT2H");
    }
  }

  private static Duration positive(Duration duration, String text) {
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(text);
    }
    return duration;
  }
}
