package io.ferry.agent.layer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The OS root trees built by scripts/test-install.d/20-os-trees.sh from real Debian packages;
 * builds them when missing, and copies one per test.
 */
final class OsTrees {

  private OsTrees() {}

  static Path projectRoot() {
    Path current = Path.of("").toAbsolutePath();
    while (current != null && !Files.exists(current.resolve("scripts/test-install.d/20-os-trees.sh"))) {
      current = current.getParent();
    }
    if (current == null) {
      throw new IllegalStateException("cannot find the project root from " + Path.of("").toAbsolutePath());
    }
    return current;
  }

  static synchronized Path fixtures() throws Exception {
    Path root = projectRoot();
    Path fixtures = root.resolve(".ferry/fixtures");
    run(root, "bash", "scripts/test-install.d/20-os-trees.sh");
    return fixtures;
  }

  /** A fresh copy of tree {@code os} (debian or rhel) with the overlay of {@code cloud}, if any. */
  static Path copy(String os, String cloud, Path into) throws Exception {
    Path fixtures = fixtures();
    Path tree = into.resolve(os + "-root");
    Files.createDirectories(tree);
    run(into, "cp", "-a", fixtures.resolve("trees/" + os) + "/.", tree.toString());
    if (cloud != null) {
      Path overlay = fixtures.resolve("overlays/" + os + "-" + cloud);
      if (Files.isDirectory(overlay)) {
        run(into, "cp", "-a", overlay + "/.", tree.toString());
      }
    }
    return tree;
  }

  static void run(Path directory, String... command) throws Exception {
    Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
  }

  /** Every path of a tree (links not followed) to its type and content hash or link target. */
  static Map<String, String> snapshot(Path tree) throws IOException {
    Map<String, String> result = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(tree)) {
      for (Path path : walk.toList()) {
        String key = "/" + tree.relativize(path).toString();
        if (Files.isSymbolicLink(path)) {
          result.put(key, "link:" + Files.readSymbolicLink(path));
        } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
          result.put(key, "dir");
        } else {
          result.put(key, "file:" + sha256(path) + ":" + Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
        }
      }
    }
    return result;
  }

  static String sha256(Path file) throws IOException {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The paths whose snapshot entry differs (added, removed or changed). */
  static java.util.Set<String> changed(Map<String, String> before, Map<String, String> after) {
    java.util.Set<String> result = new java.util.TreeSet<>();
    for (var entry : before.entrySet()) {
      if (!entry.getValue().equals(after.get(entry.getKey()))) {
        result.add(entry.getKey());
      }
    }
    for (String key : after.keySet()) {
      if (!before.containsKey(key)) {
        result.add(key);
      }
    }
    return result;
  }
}
