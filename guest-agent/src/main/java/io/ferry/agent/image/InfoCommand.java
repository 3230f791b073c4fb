package io.ferry.agent.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImages;
import io.ferry.standardization.image.Extent;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry-agent image info FILE [--output json]}. */
@Command(
    name = "info",
    mixinStandardHelpOptions = true,
    description = "Shows a disk image's format (detected by magic), virtual size and allocation.")
public final class InfoCommand implements Callable<Integer> {

  /** How the result is printed. */
  enum OutputKind {
    human,
    json
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "The image file.")
  Path file;

  @Option(
      names = "--output",
      defaultValue = "human",
      description = "human or json (default: ${DEFAULT-VALUE}).")
  OutputKind output;

  @Option(names = "-f", paramLabel = "FORMAT", description = "Skip detection: read as FORMAT.")
  String format;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    return ImageCommands.guard(
        spec,
        1,
        () -> {
          try (DiskImageReader reader =
              format == null
                  ? DiskImages.open(file)
                  : DiskImages.open(file, DiskFormat.fromId(format))) {
            long allocated = 0;
            long zero = 0;
            for (Iterator<Extent> extents = reader.extents(); extents.hasNext(); ) {
              Extent extent = extents.next();
              switch (extent.type()) {
                case DATA -> allocated += extent.length();
                case ZERO -> zero += extent.length();
                default -> {}
              }
            }
            long fileSize = Files.size(file);
            for (Path companion : reader.companionFiles()) {
              fileSize += Files.size(companion); // a VMDK descriptor's extent files
            }
            if (output == OutputKind.json) {
              ObjectNode json = new ObjectMapper().createObjectNode();
              json.put("filename", file.toString());
              json.put("format", reader.format().id());
              json.put("virtualSize", reader.virtualSize());
              json.put("allocatedBytes", allocated);
              json.put("zeroBytes", zero);
              json.put("fileSize", fileSize);
              if (!reader.companionFiles().isEmpty()) {
                var extentFiles = json.putArray("extentFiles");
                reader.companionFiles().forEach(companion -> extentFiles.add(companion.toString()));
              }
              if (!reader.otherDisks().isEmpty()) {
                var otherDisks = json.putArray("otherDisks"); // what the numbers above leave out
                reader.otherDisks().forEach(otherDisks::add);
              }
              if (!reader.notes().isEmpty()) {
                var notes = json.putArray("notes");
                reader.notes().forEach(notes::add);
              }
              out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
            } else {
              out.printf("image: %s%n", file);
              out.printf("format: %s%n", reader.format().id());
              out.printf("virtual size: %s (%d bytes)%n", Sizes.human(reader.virtualSize()), reader.virtualSize());
              out.printf("allocated: %s (%d bytes)%n", Sizes.human(allocated), allocated);
              out.printf("zero: %s (%d bytes)%n", Sizes.human(zero), zero);
              out.printf("file size: %s (%d bytes)%n", Sizes.human(fileSize), fileSize);
              for (Path companion : reader.companionFiles()) {
                out.printf("extent file: %s%n", companion);
              }
              for (String other : reader.otherDisks()) {
                out.printf("other disk (not read): %s%n", other);
              }
              for (String note : reader.notes()) {
                out.printf("note: %s%n", note);
              }
            }
            out.flush();
            return 0;
          }
        });
  }
}
