package io.ferry.standardization.layer;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.layer.internal.LayerFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every cloud layer Ferry knows, read from one data file per cloud. The built-in catalogue is the
 * set of {@code *.json} files in {@code io/ferry/standardization/layer/} on the class path; more
 * clouds can be added from a directory of files with the same schema (see the README.md next to
 * the data files).
 */
public final class CloudLayerCatalogue {

  private final Map<String, CloudLayer> layers;

  private CloudLayerCatalogue(Map<String, CloudLayer> layers) {
    this.layers = Collections.unmodifiableMap(new TreeMap<>(layers));
  }

  /** The catalogue shipped with Ferry. */
  public static CloudLayerCatalogue builtIn() {
    try {
      return of(LayerFiles.readBuiltIn());
    } catch (IOException e) {
      throw new FerryException(ErrorCode.INTERNAL, "cannot read the built-in layer catalogue", e);
    }
  }

  /** The built-in catalogue plus every {@code *.json} layer file in {@code directory}. */
  public static CloudLayerCatalogue builtInWith(Path directory) {
    try {
      List<CloudLayer> all = new ArrayList<>(LayerFiles.readBuiltIn());
      all.addAll(LayerFiles.readDirectory(directory));
      return of(all);
    } catch (IOException e) {
      throw new FerryException(
          ErrorCode.IO_ERROR, "cannot read layer files in " + directory + ": " + e.getMessage(), e);
    }
  }

  /** A catalogue of exactly these layers; ids must be unique. */
  public static CloudLayerCatalogue of(List<CloudLayer> layers) {
    Map<String, CloudLayer> byId = new TreeMap<>();
    for (CloudLayer layer : layers) {
      if (byId.putIfAbsent(layer.id(), layer) != null) {
        throw new FerryException(
            ErrorCode.INVALID_REQUEST, "two cloud layer files define the cloud id " + layer.id());
      }
    }
    return new CloudLayerCatalogue(byId);
  }

  /** Every layer, ordered by id. */
  public List<CloudLayer> layers() {
    return List.copyOf(layers.values());
  }

  /** Every cloud id, ordered. */
  public List<String> ids() {
    return List.copyOf(layers.keySet());
  }

  /** The layer of {@code id}, if known. */
  public Optional<CloudLayer> find(String id) {
    return Optional.ofNullable(layers.get(id));
  }

  /**
   * The layer of {@code id}.
   *
   * @throws FerryException NOT_FOUND naming the known ids when there is no such cloud
   */
  public CloudLayer get(String id) {
    CloudLayer layer = layers.get(id);
    if (layer == null) {
      throw new FerryException(
          ErrorCode.NOT_FOUND, "unknown cloud '" + id + "'; known clouds: " + ids());
    }
    return layer;
  }
}
