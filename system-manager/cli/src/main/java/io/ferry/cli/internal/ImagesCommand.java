package io.ferry.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The image catalogue of one cloud account. */
@Command(name = "images", description = "List the images of a cloud account (by name or id).")
final class ImagesCommand extends Commands implements Callable<Integer> {

  @Mixin ConnectionOptions connection;

  @Parameters(paramLabel = "ACCOUNT", description = "The cloud account's name or id.")
  String account;

  @Option(names = "--refresh", description = "List the images from the cloud again first.")
  boolean refresh;

  @Option(names = "--output", paramLabel = "FORMAT", description = "text (default) or json.")
  OutputFormat output = OutputFormat.text;

  @Override
  public Integer call() {
    FerryClient client = connection.client(terminal(), JSON);
    JsonNode found = account(client, account);
    String path = "api/v1/cloud-accounts/" + FerryClient.segment(found.path("id").asText()) + "/images";
    JsonNode images = refresh ? client.post(path + "/refresh", null) : client.get(path);
    if (output == OutputFormat.json) {
      printJson(images);
      return ExitCode.OK.status();
    }
    Table table = new Table("IMAGE", "NAME", "OS", "FORMAT", "SIZE", "LAYER");
    for (JsonNode image : images) {
      table.row(image.path("id").asText(), image.path("name").asText(""), image.path("osName").asText("-"),
          image.path("format").asText("-"), Formats.bytes(image.path("virtualSize").asLong(-1)),
          image.path("cloudLayer").asText("-"));
    }
    table.print(terminal().out());
    return ExitCode.OK.status();
  }
}
