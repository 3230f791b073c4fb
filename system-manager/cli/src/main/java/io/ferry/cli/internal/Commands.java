package io.ferry.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every command shares: the terminal, JSON, and account and image lookup. */
abstract class Commands {

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Spec CommandSpec spec;

  Terminal terminal() {
    Object root = spec.root().userObject();
    return ((RootCommand) root).terminal();
  }

  /** The account whose name or id is {@code nameOrId}. */
  static JsonNode account(FerryClient client, String nameOrId) {
    JsonNode accounts = client.get("api/v1/cloud-accounts");
    List<String> names = new ArrayList<>();
    for (JsonNode account : accounts) {
      if (account.path("id").asText().equals(nameOrId) || account.path("name").asText().equals(nameOrId)) {
        return account;
      }
      names.add(account.path("name").asText());
    }
    throw new CliException(ExitCode.REFUSED, "no cloud account '" + nameOrId + "'"
        + (names.isEmpty() ? " (this tenant has none)" : "; accounts: " + String.join(", ", names)));
  }

  /** The image of the account whose id or (unique) name is {@code idOrName}. */
  static JsonNode image(FerryClient client, JsonNode account, String idOrName) {
    JsonNode images = client.get("api/v1/cloud-accounts/" + FerryClient.segment(account.path("id").asText()) + "/images");
    List<JsonNode> byName = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (JsonNode image : images) {
      if (image.path("id").asText().equals(idOrName)) {
        return image;
      }
      if (image.path("name").asText().equals(idOrName)) {
        byName.add(image);
      }
      ids.add(image.path("id").asText());
    }
    if (byName.size() == 1) {
      return byName.get(0);
    }
    String accountName = account.path("name").asText();
    if (byName.size() > 1) {
      throw new CliException(ExitCode.REFUSED, "several images of '" + accountName + "' are named '" + idOrName
          + "'; use the image id: " + String.join(", ", byName.stream().map(image -> image.path("id").asText()).toList()));
    }
    List<String> shown = ids.size() > 10 ? ids.subList(0, 10) : ids;
    throw new CliException(ExitCode.REFUSED, "no image '" + idOrName + "' in cloud account '" + accountName + "'"
        + (ids.isEmpty() ? " (its catalogue is empty)" : "; images: " + String.join(", ", shown) + (ids.size() > 10 ? ", ..." : "")));
  }

  /** A migration id as the user typed it: a full UUID. */
  static String migrationId(String text) {
    try {
      return UUID.fromString(text.strip()).toString();
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, "'" + text + "' is not a migration id (a UUID as ferry jobs lists it)");
    }
  }

  void printJson(JsonNode node) {
    try {
      terminal().out().println(JSON.writeValueAsString(node));
      terminal().out().flush();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The version from the jar's manifest. */
  static final class Version implements picocli.CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Commands.class.getPackage().getImplementationVersion();
      return new String[] {"ferry " + (version == null ? "development build" : version)};
    }
  }
}
