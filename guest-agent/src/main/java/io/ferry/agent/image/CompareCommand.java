package io.ferry.agent.image;

import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImages;
import io.ferry.standardization.image.ImageComparator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ferry-agent image compare A B}: exit status 0 when the disks' contents are identical, 1
 * when they differ (the first differing offset is printed), 2 on error, like {@code qemu-img
 * compare}.
 */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description = {
      "Compares the contents of two disk images of any formats.",
      "Exit status: 0 identical, 1 different, 2 error."
    },
    exitCodeOnInvalidInput = 2,
    exitCodeOnExecutionException = 2)
public final class CompareCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "A")
  Path first;

  @Parameters(index = "1", paramLabel = "B")
  Path second;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    return ImageCommands.guard(
        spec,
        2,
        () -> {
          try (DiskImageReader a = DiskImages.open(first);
              DiskImageReader b = DiskImages.open(second)) {
            if (a.virtualSize() != b.virtualSize()) {
              out.println("Warning: Image size mismatch!");
            }
            OptionalLong difference = ImageComparator.firstDifference(a, b);
            if (difference.isPresent()) {
              out.println("Content mismatch at offset " + difference.getAsLong() + "!");
              out.flush();
              return 1;
            }
            out.println("Images are identical.");
            out.flush();
            return 0;
          }
        });
  }
}
