package io.ferry.agent.image;

import io.ferry.standardization.ProgressListener;
import io.ferry.standardization.image.ConversionStats;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.DiskImages;
import io.ferry.standardization.image.WriteOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry-agent image convert -O FORMAT IN OUT}. */
@Command(
    name = "convert",
    mixinStandardHelpOptions = true,
    description = {
      "Converts a disk image to another format, reading only allocated data and writing holes as"
          + " holes. The input format is detected by magic.",
      "Formats: raw, qcow2, vmdk-streamOptimized, vhd-fixed, vhd-dynamic, ova, gcp-tar (as far as"
          + " this build can write them)."
    })
public final class ConvertCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "-O", required = true, paramLabel = "FORMAT", description = "Output format.")
  String outputFormat;

  @Option(names = "-f", paramLabel = "FORMAT", description = "Skip detection: read IN as FORMAT.")
  String inputFormat;

  @Option(names = "-c", description = "Compress where the output format makes it optional (qcow2).")
  boolean compress;

  @Option(
      names = {"-m", "--threads"},
      defaultValue = "2",
      description = "Threads for compression (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--cluster-size", paramLabel = "BYTES", description = "Cluster or grain size.")
  int clusterSize;

  @Option(
      names = "--durable",
      description = "Force the output to disk before renaming it into place (crash-safe, slower).")
  boolean durable;

  @Option(names = {"-q", "--quiet"}, description = "No progress output.")
  boolean quiet;

  @Parameters(index = "0", paramLabel = "IN")
  Path input;

  @Parameters(index = "1", paramLabel = "OUT")
  Path output;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    return ImageCommands.guard(
        spec,
        1,
        () -> {
          DiskFormat target = DiskFormat.fromId(outputFormat);
          WriteOptions options =
              new WriteOptions(threads, compress, WriteOptions.DEFAULT_LEVEL, clusterSize, durable);
          ProgressListener progress =
              quiet ? ProgressListener.NONE : new ProgressBar(out, System.console() != null);
          try (DiskImageReader reader =
                  inputFormat == null
                      ? DiskImages.open(input)
                      : DiskImages.open(input, DiskFormat.fromId(inputFormat));
              DiskImageWriter writer =
                  DiskImages.create(output, target, reader.virtualSize(), options)) {
            if (!reader.otherDisks().isEmpty()) {
              PrintWriter err = spec.commandLine().getErr();
              err.printf(
                  "warning: %s holds %d disks; converting its boot disk only, not: %s%n",
                  input, reader.otherDisks().size() + 1, String.join("; ", reader.otherDisks()));
              err.flush();
            }
            ConversionStats stats = DiskImages.convert(reader, writer, progress);
            if (!quiet) {
              out.printf(
                  Locale.ROOT,
                  "converted %s (%s) to %s (%s): read %s, wrote %s, skipped %s of zeros in %.2f s%n",
                  input,
                  reader.format().id(),
                  output,
                  writer.format().id(),
                  Sizes.human(stats.bytesRead()),
                  Sizes.human(stats.bytesWritten()),
                  Sizes.human(stats.zeroBytesSkipped()),
                  stats.duration().toMillis() / 1000.0);
              out.flush();
            }
          }
          return 0;
        });
  }
}
