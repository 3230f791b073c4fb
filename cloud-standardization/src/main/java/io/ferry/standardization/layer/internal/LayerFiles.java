package io.ferry.standardization.layer.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.layer.AgentService;
import io.ferry.standardization.layer.CloudLayer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Reads and validates layer data files. */
public final class LayerFiles {

  /** The class-path folder holding the built-in layer files. */
  public static final String RESOURCE_FOLDER = "io/ferry/standardization/layer/";

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private static final Pattern ID = Pattern.compile("[a-z][a-z0-9-]{0,30}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.@:+-]+");
  private static final Pattern KERNEL_ARGUMENT = Pattern.compile("[A-Za-z0-9_.,=:/+-]+");

  private LayerFiles() {}

  /** Every built-in layer file. */
  public static List<CloudLayer> readBuiltIn() throws IOException {
    URL marker = LayerFiles.class.getClassLoader().getResource(RESOURCE_FOLDER + "README.md");
    if (marker == null) {
      throw new IOException("no " + RESOURCE_FOLDER + "README.md on the class path");
    }
    URI uri;
    try {
      uri = marker.toURI();
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
    if ("jar".equals(uri.getScheme())) {
      FileSystem fileSystem;
      boolean opened = false;
      try {
        fileSystem = FileSystems.newFileSystem(uri, Map.of());
        opened = true;
      } catch (FileSystemAlreadyExistsException e) {
        fileSystem = FileSystems.getFileSystem(uri);
      }
      try {
        return readDirectory(fileSystem.getPath("/" + RESOURCE_FOLDER));
      } finally {
        if (opened) {
          fileSystem.close();
        }
      }
    }
    return readDirectory(Path.of(uri).getParent());
  }

  /** Every {@code *.json} layer file directly in {@code directory}, ordered by file name. */
  public static List<CloudLayer> readDirectory(Path directory) throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(directory)) {
      files = list.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
    }
    List<CloudLayer> layers = new ArrayList<>();
    for (Path file : files) {
      try (InputStream in = Files.newInputStream(file)) {
        layers.add(parse(file.getFileName().toString(), in));
      }
    }
    return layers;
  }

  /**
   * Parses and validates one layer file.
   *
   * @throws FerryException INVALID_REQUEST naming the file and the offending field
   */
  public static CloudLayer parse(String fileName, InputStream in) throws IOException {
    CloudLayer layer;
    try {
      layer = MAPPER.readValue(in, CloudLayer.class);
    } catch (IOException | RuntimeException e) {
      throw invalid(fileName, e.getMessage().lines().findFirst().orElse("unreadable"));
    }
    validate(fileName, layer);
    return layer;
  }

  private static void validate(String fileName, CloudLayer layer) {
    if (!ID.matcher(layer.id()).matches()) {
      throw invalid(fileName, "id '" + layer.id() + "' must match " + ID.pattern());
    }
    if (!fileName.equals(layer.id() + ".json")) {
      throw invalid(fileName, "id '" + layer.id() + "' must equal the file name without .json");
    }
    if (layer.inject().datasources().isEmpty()) {
      throw invalid(fileName, "inject.datasources must not be empty");
    }
    names(fileName, "detect.datasources", layer.detect().datasources());
    names(fileName, "detect.packages", layer.detect().packages());
    names(fileName, "detect.units", layer.detect().units());
    paths(fileName, "detect.files", layer.detect().files());
    names(fileName, "strip.units", layer.strip().units());
    paths(fileName, "strip.files", layer.strip().files());
    paths(fileName, "strip.secretFiles", layer.strip().secretFiles());
    names(fileName, "strip.defaultUsers", layer.strip().defaultUsers());
    names(fileName, "inject.datasources", layer.inject().datasources());
    names(fileName, "inject.initramfsModules", layer.inject().initramfsModules());
    for (AgentService agent : layer.inject().agents()) {
      names(fileName, "inject.agents.package", List.of(agent.packageName()));
      names(fileName, "inject.agents.units", agent.units());
    }
    for (String argument : layer.inject().kernelArguments()) {
      if (!KERNEL_ARGUMENT.matcher(argument).matches()) {
        throw invalid(fileName, "inject.kernelArguments: '" + argument + "' is not a plain token");
      }
    }
  }

  private static void names(String fileName, String field, List<String> values) {
    for (String value : values) {
      if (value == null || !NAME.matcher(value).matches()) {
        throw invalid(fileName, field + ": '" + value + "' is not a plain name");
      }
    }
  }

  private static void paths(String fileName, String field, List<String> values) {
    for (String value : values) {
      if (value == null
          || !value.startsWith("/")
          || value.contains("//")
          || value.contains("\n")
          || List.of(value.split("/")).contains("..")
          || value.substring(0, value.lastIndexOf('/')).contains("*")) {
        throw invalid(
            fileName,
            field
                + ": '"
                + value
                + "' must be an absolute path without '..', '*' only in the last component");
      }
    }
  }

  private static FerryException invalid(String fileName, String message) {
    return new FerryException(
        ErrorCode.INVALID_REQUEST, "cloud layer file " + fileName + ": " + message);
  }
}
