package io.ferry.plugin.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.plugin.tck.SeedImage;
import io.ferry.standardization.image.QemuImg;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.JobTag;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Test helpers for local accounts, written without the plugin's internals: a configuration, a
 * seeded image (file plus hand-written sidecar), and an inventory of what a job left behind.
 */
final class LocalAccounts {

  private static final ObjectMapper JSON = new ObjectMapper();

  private LocalAccounts() {}

  static CloudAccountConfig config(Path directory, String format, Path agentJar) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("directory", directory.toString());
    settings.put("format", format);
    settings.put("layer", "aws");
    // TCG: nested KVM on the test machines starts QEMU but hangs the guest kernel after GRUB
    // (measured), while software emulation boots the fixture disk in about 30 s.
    settings.put("bootAccelerator", "tcg");
    if (agentJar != null) {
      settings.put("agentJar", agentJar.toString());
    }
    return new CloudAccountConfig("local-test", null, null, settings, Map.of());
  }

  /** Why QEMU cannot run here (qemu-system-x86_64 is not on the PATH), or null. */
  static String qemuMissing() {
    for (String folder : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      if (!folder.isEmpty() && Files.isExecutable(Path.of(folder, "qemu-system-x86_64"))) {
        return null;
      }
    }
    return "qemu-system-x86_64 is not installed (Debian package qemu-system-x86; scripts/test-packages.apt has it)";
  }

  /** Copies the seed's raw disk into {@code images/} with a sidecar carrying its facts. */
  static String seed(Path directory, SeedImage image) throws IOException {
    Path images = Files.createDirectories(directory.resolve("images"));
    String imageId = image.name() + ".raw";
    Files.copy(image.rawDisk(), images.resolve(imageId));
    writeSidecar(images, imageId, image);
    return imageId;
  }

  /** Converts the seed's raw disk with qemu-img into {@code images/} as {@code format}. */
  static String seedConverted(Path directory, SeedImage image, String format) throws IOException {
    Path images = Files.createDirectories(directory.resolve("images"));
    String imageId = image.name() + "." + format;
    QemuImg.convert(image.rawDisk(), "raw", images.resolve(imageId), format);
    writeSidecar(images, imageId, image);
    return imageId;
  }

  private static void writeSidecar(Path images, String imageId, SeedImage image) throws IOException {
    Map<String, Object> sidecar = new LinkedHashMap<>();
    sidecar.put("name", image.name());
    sidecar.put("osName", image.osName());
    sidecar.put("architecture", image.architecture().name());
    sidecar.put("bootMode", image.bootMode().name());
    sidecar.put("cloudLayer", "aws");
    JSON.writeValue(images.resolve(imageId + ".ferry.json").toFile(), sidecar);
  }

  /**
   * What a job left in the account: any file in {@code uploads/}, {@code volumes/}, {@code
   * helpers/} or {@code boots/} (each test has its own account, so any file there is a leftover),
   * images whose sidecar carries the job's tag, live helper processes of the account and live
   * QEMU processes of its boot checks.
   */
  static List<String> leftovers(Path directory, JobTag tag) throws IOException {
    List<String> found = new ArrayList<>();
    for (String folder : List.of("uploads", "volumes", "helpers", "boots")) {
      Path path = directory.resolve(folder);
      if (Files.isDirectory(path)) {
        try (Stream<Path> files = Files.list(path)) {
          files.forEach(file -> found.add(folder + "/" + file.getFileName()));
        }
      }
    }
    Path images = directory.resolve("images");
    if (Files.isDirectory(images)) {
      try (Stream<Path> files = Files.list(images)) {
        for (Path file : files.toList()) {
          String name = file.getFileName().toString();
          if (name.endsWith(".ferry.json") && Files.readString(file).contains(tag.jobId())) {
            found.add("images/" + name);
          }
        }
      }
    }
    String marker = "-Dferry.helper.account=" + directory.toAbsolutePath().normalize();
    ProcessHandle.allProcesses()
        .filter(ProcessHandle::isAlive)
        .filter(process -> Arrays.asList(process.info().arguments().orElse(new String[0])).contains(marker))
        .forEach(process -> found.add("process " + process.pid()));
    String boots = "file=" + directory.toAbsolutePath().normalize().resolve("boots") + "/";
    ProcessHandle.allProcesses()
        .filter(ProcessHandle::isAlive)
        .filter(process -> Arrays.stream(process.info().arguments().orElse(new String[0])).anyMatch(a -> a.startsWith(boots)))
        .forEach(process -> found.add("qemu process " + process.pid()));
    return found;
  }
}
