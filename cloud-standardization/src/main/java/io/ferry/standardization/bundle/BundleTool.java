package io.ferry.standardization.bundle;

import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImages;
import io.ferry.standardization.image.WriteOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A small command line over {@link Bundles} with a local store, for benchmarks and manual use.
 *
 * <pre>
 * BundleTool bundle  --store DIR [--chunk-size BYTES] [--level N] [--threads N] [--in-flight N] [--rounds N] IMAGE BUNDLE_ID
 * BundleTool restore --store DIR [--format raw|qcow2|...] BUNDLE_ID TARGET
 * BundleTool verify  --store DIR BUNDLE_ID
 * BundleTool gc      --store DIR [--grace-hours N]
 * </pre>
 *
 * {@code --rounds N} bundles N times in one JVM, each round into a new store {@code DIR/round-K}
 * (all but the last removed after their round): the rounds after the first show a warm JVM.
 *
 * Exit codes: 0 success, 1 failure (the error code and message go to stderr), 2 bad usage.
 */
public final class BundleTool {

  private BundleTool() {}

  public static void main(String[] arguments) {
    try {
      System.exit(run(arguments));
    } catch (FerryException failure) {
      System.err.println(failure.code() + ": " + failure.getMessage());
      System.exit(1);
    } catch (IOException | RuntimeException failure) {
      System.err.println("failed: " + failure);
      System.exit(1);
    }
  }

  static int run(String[] arguments) throws IOException {
    if (arguments.length == 0) {
      return usage("no command");
    }
    Map<String, String> options = new HashMap<>();
    List<String> positional = new ArrayList<>();
    for (int index = 1; index < arguments.length; index++) {
      if (arguments[index].startsWith("--")) {
        if (index + 1 >= arguments.length) {
          return usage("option " + arguments[index] + " needs a value");
        }
        options.put(arguments[index].substring(2), arguments[++index]);
      } else {
        positional.add(arguments[index]);
      }
    }
    if (!options.containsKey("store")) {
      return usage("--store is required");
    }
    if (arguments[0].equals("bundle") && options.containsKey("rounds")) {
      int rounds;
      try {
        rounds = Integer.parseInt(options.get("rounds"));
      } catch (NumberFormatException notANumber) {
        return usage("--rounds needs a whole number, got " + options.get("rounds"));
      }
      return bundleRounds(Path.of(options.get("store")), rounds, positional, options);
    }
    try (LocalChunkStore store = new LocalChunkStore(Path.of(options.get("store")))) {
      Bundles bundles = new Bundles(store, Clock.systemUTC());
      switch (arguments[0]) {
        case "bundle" -> {
          return bundle(store, positional, options);
        }
        case "restore" -> {
          if (positional.size() != 2) {
            return usage("restore needs BUNDLE_ID and TARGET");
          }
          DiskFormat format = DiskFormat.fromId(options.getOrDefault("format", "raw"));
          Path target = Path.of(positional.get(1));
          RestoreResult result =
              format == DiskFormat.RAW
                  ? bundles.restoreToFile(positional.get(0), target, RestoreOptions.defaults())
                  : bundles.restore(positional.get(0),
                      DiskImages.create(target, format, bundles.manifest(positional.get(0)).disk().virtualSize(),
                          WriteOptions.DEFAULTS.withThreads(Runtime.getRuntime().availableProcessors())),
                      RestoreOptions.defaults());
          System.out.printf("restored %s to %s (%s): bytesWritten=%d seconds=%.2f%n",
              result.bundleId(), target, format.id(), result.bytesWritten(), seconds(result.duration()));
        }
        case "verify" -> {
          if (positional.size() != 1) {
            return usage("verify needs BUNDLE_ID");
          }
          VerifyReport report = bundles.verify(positional.get(0), Runtime.getRuntime().availableProcessors());
          report.problems().forEach(problem -> System.out.println("damaged: " + problem));
          System.out.printf("verified %s: chunks=%d intact=%s%n", report.bundleId(), report.chunksChecked(),
              report.intact());
          return report.intact() ? 0 : 1;
        }
        case "gc" -> {
          long hours = Long.parseLong(options.getOrDefault("grace-hours", "24"));
          GarbageCollection collected = bundles.collectGarbage(Duration.ofHours(hours));
          System.out.printf("gc: examined=%d deleted=%d bytesDeleted=%d inGrace=%d%n", collected.chunksExamined(),
              collected.chunksDeleted(), collected.bytesDeleted(), collected.chunksInGrace());
        }
        default -> {
          return usage("unknown command " + arguments[0]);
        }
      }
    }
    return 0;
  }

  private static int bundle(LocalChunkStore store, List<String> positional, Map<String, String> options)
      throws IOException {
    if (positional.size() != 2) {
      return usage("bundle needs IMAGE and BUNDLE_ID");
    }
    BundleOptions bundleOptions = BundleOptions.defaults();
    if (options.containsKey("chunk-size")) {
      bundleOptions = bundleOptions.withChunkSize(Integer.parseInt(options.get("chunk-size")));
    }
    if (options.containsKey("level")) {
      bundleOptions = bundleOptions.withCompressionLevel(Integer.parseInt(options.get("level")));
    }
    if (options.containsKey("threads") || options.containsKey("in-flight")) {
      int threads = Integer.parseInt(options.getOrDefault("threads", Integer.toString(bundleOptions.threads())));
      int inFlight = Integer.parseInt(options.getOrDefault("in-flight", Integer.toString(4 * threads)));
      bundleOptions = bundleOptions.withThreads(threads, inFlight);
    }
    Bundles bundles = new Bundles(store, Clock.systemUTC());
    try (DiskImageReader reader = DiskImages.open(Path.of(positional.get(0)))) {
      BundleResult result =
          bundles.bundle(positional.get(1), reader, BundleManifest.Source.UNKNOWN, bundleOptions);
      BundleManifest manifest = result.manifest();
      System.out.printf(
          "bundled %s: format=%s virtualSize=%d dataChunks=%d dataBytes=%d storedBytes=%d newChunks=%d"
              + " newStoredBytes=%d reused=%d resumed=%d seconds=%.2f sha256=%s%n",
          manifest.bundleId(), reader.format().id(), manifest.disk().virtualSize(), manifest.chunks().size(),
          manifest.dataBytes(), manifest.compressedBytes(), result.chunksWritten(), result.newStoredBytes(),
          result.chunksReused(), result.chunksResumed(), seconds(result.duration()), manifest.disk().sha256());
    }
    return 0;
  }

  /**
   * Bundles the image {@code rounds} times in this one JVM, each round into a new store {@code
   * round-K} under {@code parent} (so that no round finds another's chunks), removing each store
   * but the last once its round is done: from the second round on, the JVM is warm, as in the
   * control plane that bundles in production.
   */
  private static int bundleRounds(Path parent, int rounds, List<String> positional, Map<String, String> options)
      throws IOException {
    if (rounds < 1) {
      return usage("--rounds must be at least 1");
    }
    if (positional.size() != 2) {
      return usage("bundle needs IMAGE and BUNDLE_ID");
    }
    for (int round = 1; round <= rounds; round++) {
      Path storeFolder = parent.resolve("round-" + round);
      if (Files.exists(storeFolder)) {
        return usage(storeFolder + " exists already: --rounds needs a new store folder");
      }
      System.out.printf("round %d of %d: ", round, rounds);
      int status;
      try (LocalChunkStore store = new LocalChunkStore(storeFolder)) {
        status = bundle(store, positional, options);
      }
      if (status != 0) {
        return status;
      }
      if (round < rounds) {
        deleteTree(storeFolder);
      }
    }
    return 0;
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  private static double seconds(Duration duration) {
    return duration.toNanos() / 1e9;
  }

  private static int usage(String problem) {
    System.err.println(problem);
    System.err.println("usage: BundleTool bundle --store DIR [--chunk-size BYTES] [--level N] [--threads N] [--in-flight N]"
        + " [--rounds N] IMAGE ID");
    System.err.println("       BundleTool restore --store DIR [--format raw|qcow2|...] ID TARGET");
    System.err.println("       BundleTool verify --store DIR ID");
    System.err.println("       BundleTool gc --store DIR [--grace-hours N]");
    return 2;
  }
}
