package io.ferry.agent.internal.cli;

import io.ferry.agent.layer.AgentOptions;
import io.ferry.agent.layer.LayerAgent;
import io.ferry.agent.offline.OfflineImage;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.layer.CloudLayerCatalogue;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** Options every layer command shares: where the root is and how to print. */
public final class RootOptions {

  /** Exactly one of --root and --image. */
  static final class Where {
    @Option(names = "--root", paramLabel = "DIR", description = "An OS root directory (a mounted volume, or / on a live system).")
    Path root;

    @Option(names = "--image", paramLabel = "FILE", description = "An image file of any format: its root partition is loop-mounted (needs root).")
    Path image;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Where where;

  @Option(names = "--partition", paramLabel = "N", description = "With --image: the root partition's number (default: the largest Linux file system holding an os-release).")
  Integer partition;

  @Option(names = "--scratch", paramLabel = "DIR", description = "With --image: where the raw scratch copy and mount point go (default: the system temp directory).")
  Path scratch;

  @Option(names = "--live", description = "The root is the running system: read /sys and blkid.")
  boolean live;

  @Option(names = "--dry-run", description = "Print the plan; change nothing.")
  boolean dryRun;

  @Option(names = "--output", paramLabel = "json|text", defaultValue = "text", description = "Output for machines (json) or people (text, the default).")
  String output;

  @Option(names = "--catalogue", paramLabel = "DIR", description = "A directory of extra cloud layer files (*.json).")
  Path catalogue;

  @Option(names = "--regenerate", negatable = true, description = "Rebuild the initramfs and grub.cfg with the guest's own tools in a chroot when the run changed their configuration (default: on with --image, off with --root).")
  Boolean regenerate;

  @Option(names = "--device-uuid", paramLabel = "DEVICE=UUID", description = "The file system UUID of a device named in fstab (repeatable).")
  Map<String, String> deviceUuids = new LinkedHashMap<>();

  /** What the work on a root returns. */
  interface RootWork<T> {
    T apply(LayerAgent agent, Path root, AgentOptions options) throws IOException;
  }

  LayerAgent agent() {
    CloudLayerCatalogue layers =
        catalogue == null ? CloudLayerCatalogue.builtIn() : CloudLayerCatalogue.builtInWith(catalogue);
    return new LayerAgent(layers, Clock.systemUTC());
  }

  boolean json() {
    if (!output.equals("json") && !output.equals("text")) {
      throw new FerryException(ErrorCode.INVALID_REQUEST, "--output must be json or text, not " + output);
    }
    return output.equals("json");
  }

  /** Runs {@code work} on the root directory, or on the mounted root partition of the image. */
  <T> T onRoot(boolean readOnly, RootWork<T> work) throws IOException {
    LayerAgent agent = agent();
    if (where.root != null) {
      boolean regenerating = regenerate != null && regenerate;
      return work.apply(agent, where.root, new AgentOptions(dryRun, live, deviceUuids, Map.of(), regenerating, List.of()));
    }
    Path scratchDirectory = scratch != null ? scratch : Path.of(System.getProperty("java.io.tmpdir"));
    boolean regenerating = regenerate == null || regenerate;
    return new OfflineImage(where.image, partition, scratchDirectory)
        .runMounted(readOnly || dryRun, mounted -> work.apply(agent, mounted.root(),
            new AgentOptions(dryRun, false, deviceUuids, mounted.partitionUuids(), regenerating, mounted.notes())));
  }
}
