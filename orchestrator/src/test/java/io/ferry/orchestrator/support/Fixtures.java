package io.ferry.orchestrator.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Real disks for the ITs: a GPT disk (root ext4 from the Debian tree fixture with a cloud's
 * overlay, plus an EFI partition) built with sfdisk and mkfs.ext4 -d, and read-only views of
 * disks for comparing file trees.
 */
public final class Fixtures {

  /** The root partition's first sector and size in sectors. */
  public static final long ROOT_START = 22528;
  public static final long ROOT_SECTORS = 81920;

  private Fixtures() {}

  public static Path projectRoot() {
    Path current = Path.of("").toAbsolutePath();
    while (current != null && !Files.exists(current.resolve("scripts/test-install.d/20-os-trees.sh"))) {
      current = current.getParent();
    }
    if (current == null) {
      throw new IllegalStateException("cannot find the project root");
    }
    return current;
  }

  /** The guest agent's jar (built by the guest-agent module). */
  public static Path agentJar() {
    String property = System.getProperty("ferry.agent.jar");
    Path jar = property != null ? Path.of(property) : projectRoot().resolve("guest-agent/target/ferry-agent.jar");
    assertThat(jar).as("build guest-agent first").isRegularFile();
    return jar.toAbsolutePath().normalize();
  }

  /** Whether this JVM runs as root (loop devices and mounts). */
  public static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** The Debian tree with {@code cloud}'s overlay, copied into {@code into}. */
  public static synchronized Path tree(String cloud, Path into) throws Exception {
    Path root = projectRoot();
    run(root, "bash", "scripts/test-install.d/20-os-trees.sh");
    Path fixtures = root.resolve(".ferry/fixtures");
    Path tree = into.resolve("debian-" + cloud + "-root");
    if (Files.isDirectory(tree)) {
      return tree;
    }
    Files.createDirectories(tree);
    run(into, "cp", "-a", fixtures.resolve("trees/debian") + "/.", tree.toString());
    Path overlay = fixtures.resolve("overlays/debian-" + cloud);
    if (Files.isDirectory(overlay)) {
      run(into, "cp", "-a", overlay + "/.", tree.toString());
    }
    return tree;
  }

  /** A 52 MiB GPT disk: EFI (vfat, 8 MiB) and root (ext4 of {@code tree}, 40 MiB), raw. */
  public static Path gptDisk(Path tree, Path disk) throws Exception {
    Path folder = disk.getParent();
    Path rootFs = folder.resolve(disk.getFileName() + ".root.ext4");
    Path efi = folder.resolve(disk.getFileName() + ".efi.vfat");
    Files.deleteIfExists(rootFs);
    Files.deleteIfExists(efi);
    Files.deleteIfExists(disk);
    run(folder, "mkfs.ext4", "-q", "-F", "-U", "8a3f6c1e-52d4-4c8e-9b1a-0c2d4e6f8a10", "-E", "root_owner=0:0",
        "-d", tree.toString(), rootFs.toString(), "40M");
    run(folder, "mkfs.vfat", "-i", "ABCD1234", "-C", efi.toString(), "8192");
    run(folder, "truncate", "-s", "52M", disk.toString());
    Path script = folder.resolve(disk.getFileName() + ".sfdisk");
    Files.writeString(script, "label: gpt\n"
        + disk + "1 : start=" + ROOT_START + ", size=" + ROOT_SECTORS + ", type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n"
        + disk + "15 : start=2048, size=16384, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n");
    run(folder, "sh", "-c", "sfdisk -q '" + disk + "' < '" + script + "'");
    run(folder, "dd", "if=" + rootFs, "of=" + disk, "bs=512", "seek=" + ROOT_START, "conv=notrunc,sparse", "status=none");
    run(folder, "dd", "if=" + efi, "of=" + disk, "bs=512", "seek=2048", "conv=notrunc", "status=none");
    Files.delete(rootFs);
    Files.delete(efi);
    Files.delete(script);
    return disk;
  }

  /**
   * The file tree of the root partition of {@code image} (any format qemu-img reads): converted
   * to raw, attached read-only, mounted read-only without journal replay, snapshotted, released.
   */
  public static Map<String, String> rootSnapshot(Path image, Path scratch) throws Exception {
    Path raw = scratch.resolve(image.getFileName() + ".snapshot.raw");
    Path mountPoint = scratch.resolve(image.getFileName() + ".mnt");
    Files.createDirectories(mountPoint);
    run(scratch, "qemu-img", "convert", "-O", "raw", image.toString(), raw.toString());
    String device = run(scratch, "losetup", "--find", "--show", "--read-only", "--offset",
        String.valueOf(ROOT_START * 512), "--sizelimit", String.valueOf(ROOT_SECTORS * 512), raw.toString()).trim();
    try {
      run(scratch, "mount", "-o", "ro,noload", device, mountPoint.toString());
      try {
        return snapshot(mountPoint);
      } finally {
        run(scratch, "umount", mountPoint.toString());
      }
    } finally {
      run(scratch, "losetup", "-d", device);
      Files.deleteIfExists(raw);
      Files.deleteIfExists(mountPoint);
    }
  }

  /** Every path of a tree (links not followed) to its type, permissions and content hash or link target. */
  public static Map<String, String> snapshot(Path tree) throws IOException {
    Map<String, String> result = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(tree)) {
      for (Path path : walk.toList()) {
        String key = "/" + tree.relativize(path);
        if (key.equals("/lost+found") || key.startsWith("/lost+found/")) {
          continue;
        }
        if (Files.isSymbolicLink(path)) {
          result.put(key, "link:" + Files.readSymbolicLink(path));
        } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
          result.put(key, "dir:" + permissions(path));
        } else {
          result.put(key, "file:" + sha256(path) + ":" + permissions(path));
        }
      }
    }
    return result;
  }

  private static String permissions(Path path) throws IOException {
    return java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
  }

  public static String sha256(Path file) throws IOException {
    try (var input = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      int read;
      while ((read = input.read(buffer)) > 0) {
        digest.update(buffer, 0, read);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs a command, asserts it succeeded and returns its output. */
  public static String run(Path directory, String... command) throws Exception {
    Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
    return output;
  }

  /** Runs a command and returns its exit status and output. */
  public static Map.Entry<Integer, String> call(Path directory, List<String> command) throws Exception {
    Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return Map.entry(process.waitFor(), output);
  }
}
