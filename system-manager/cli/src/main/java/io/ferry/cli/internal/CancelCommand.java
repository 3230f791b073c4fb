package io.ferry.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Cancels a migration. */
@Command(name = "cancel", description = "Cancel a migration; the orchestrator cleans up what it created.")
final class CancelCommand extends Commands implements Callable<Integer> {

  @Mixin ConnectionOptions connection;

  @Parameters(paramLabel = "ID", description = "The migration id (ferry jobs lists them).")
  String id;

  @Option(names = "--output", paramLabel = "FORMAT", description = "text (default) or json.")
  OutputFormat output = OutputFormat.text;

  @Override
  public Integer call() {
    FerryClient client = connection.client(terminal(), JSON);
    JsonNode migration = client.post("api/v1/migrations/" + migrationId(id) + "/cancel", null);
    if (output == OutputFormat.json) {
      printJson(migration);
    } else {
      String state = migration.path("state").asText();
      terminal().out().println("Migration " + migration.path("id").asText() + ": "
          + ("CANCELLED".equals(state) ? "cancelled" : "cancel requested (" + state + ")"));
      terminal().out().flush();
    }
    return ExitCode.OK.status();
  }
}
