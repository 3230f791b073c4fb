package io.ferry.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The latest migrations. */
@Command(name = "jobs", description = "List the latest migrations, newest first.")
final class JobsCommand extends Commands implements Callable<Integer> {

  @Mixin ConnectionOptions connection;

  @Option(names = "--state", paramLabel = "STATE", description = "Only this state: QUEUED, RUNNING, CANCELLING, SUCCEEDED, FAILED, CANCELLED.")
  String state;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "At most N migrations (1 to 200, default ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--output", paramLabel = "FORMAT", description = "text (default) or json.")
  OutputFormat output = OutputFormat.text;

  @Override
  public Integer call() {
    if (limit < 1 || limit > 200) {
      throw new CliException(ExitCode.USAGE, "--limit must be between 1 and 200");
    }
    FerryClient client = connection.client(terminal(), JSON);
    Map<String, String> query = new LinkedHashMap<>();
    query.put("size", Integer.toString(limit));
    query.put("state", state == null ? null : state.toUpperCase(java.util.Locale.ROOT));
    JsonNode page = client.get("api/v1/migrations", query);
    if (output == OutputFormat.json) {
      printJson(page.path("items"));
      return ExitCode.OK.status();
    }
    Map<String, String> names = new HashMap<>();
    for (JsonNode account : client.get("api/v1/cloud-accounts")) {
      names.put(account.path("id").asText(), account.path("name").asText());
    }
    Table table = new Table("ID", "STATE", "PROGRESS", "SOURCE", "TARGET", "CREATED");
    for (JsonNode migration : page.path("items")) {
      String source = migration.path("sourceAccountId").asText();
      String target = migration.path("targetAccountId").asText();
      table.row(migration.path("id").asText(), migration.path("state").asText(),
          migration.path("progressPercent").asInt() + "%",
          names.getOrDefault(source, source) + ":" + migration.path("sourceImageId").asText(),
          names.getOrDefault(target, target), migration.path("createdAt").asText());
    }
    table.print(terminal().out());
    long total = page.path("totalItems").asLong();
    if (total > page.path("items").size()) {
      terminal().err().println("(" + page.path("items").size() + " of " + total + " migrations; --limit shows more)");
      terminal().err().flush();
    }
    return ExitCode.OK.status();
  }
}
