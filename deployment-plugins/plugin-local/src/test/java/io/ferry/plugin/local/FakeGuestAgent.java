package io.ferry.plugin.local;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CountDownLatch;

/**
 * Stands in for the guest agent in helper tests: runs until killed. With {@code --child-pid-file
 * <file>} it first starts a child process ({@code sleep}) and writes the child's pid to the file,
 * so tests can check that terminating a helper also ends its children. With {@code
 * --write-environment NAME <file>} it writes the environment variable NAME to the file.
 */
public final class FakeGuestAgent {

  private FakeGuestAgent() {}

  public static void main(String[] args) throws Exception {
    for (int index = 0; index + 2 < args.length; index++) {
      if (args[index].equals("--write-environment")) {
        String value = System.getenv(args[index + 1]);
        writeAtomically(Path.of(args[index + 2]), value == null ? "" : value);
      }
    }
    for (int index = 0; index + 1 < args.length; index++) {
      if (args[index].equals("--child-pid-file")) {
        Process child = new ProcessBuilder("sleep", "600").start();
        writeAtomically(Path.of(args[index + 1]), Long.toString(child.pid()));
      }
    }
    new CountDownLatch(1).await();
  }

  /** Tests poll for the file's existence, so it appears only whole. */
  private static void writeAtomically(Path file, String content) throws Exception {
    Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(temporary, content, StandardCharsets.UTF_8);
    Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
  }
}
