package io.ferry.agent.layer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The architecture of OS trees built in a temporary folder from the host's own ELF binaries. */
class ArchitectureProbeIT {

  @TempDir Path root;

  private final List<String> notes = new ArrayList<>();

  @Test
  void readsTheElfHeaderOfInitThroughALinkInsideTheRoot() throws IOException {
    Path systemd = write("lib/systemd/systemd", elf(0xb7, false));
    Files.createDirectories(root.resolve("sbin"));
    Files.createSymbolicLink(root.resolve("sbin/init"), Path.of("/lib/systemd/systemd"));
    Files.delete(systemd);
    write("usr/lib/systemd/systemd", elf(0xb7, false));
    Files.createSymbolicLink(systemd, Path.of("/usr/lib/systemd/systemd"));

    assertThat(probe()).isEqualTo("arm64");
    assertThat(notes).anyMatch(note -> note.contains("ELF header of /usr/lib/systemd/systemd"));
  }

  @Test
  void theHostsOwnShellIsItsArchitecture() throws IOException {
    write("bin/sh", Files.readAllBytes(Path.of("/bin/sh").toRealPath()));
    String expected = switch (System.getProperty("os.arch")) {
      case "amd64", "x86_64" -> "x86_64";
      case "aarch64" -> "arm64";
      default -> System.getProperty("os.arch");
    };
    assertThat(probe()).isEqualTo(expected);
  }

  @Test
  void bigEndianHeadersAreReadInTheirByteOrder() throws IOException {
    write("usr/bin/bash", elf(0x16, true));
    assertThat(probe()).isEqualTo("s390x");
  }

  @Test
  void withoutCoreBinariesTheMostCommonMachineOfTheBinaryFoldersWins() throws IOException {
    write("usr/bin/a", elf(0x3e, false));
    write("usr/bin/b", elf(0x3e, false));
    write("usr/bin/c", elf(0xb7, false));
    write("usr/bin/script", "#!/bin/sh\necho hi\n".getBytes(StandardCharsets.UTF_8));
    assertThat(probe()).isEqualTo("x86_64");
    assertThat(notes).anyMatch(note -> note.contains("{x86_64=2, arm64=1}"));
  }

  @Test
  void aLinkToTheHostsBinariesIsResolvedInsideTheRoot() throws IOException {
    Files.createDirectories(root.resolve("bin"));
    Files.createSymbolicLink(root.resolve("bin/sh"), Path.of("/usr/bin/dash"));
    write("lib/modules/6.1.0-28-arm64/modules.dep", new byte[0]);
    // /usr/bin/dash exists on the host but not in the root: the kernel name decides.
    assertThat(probe()).isEqualTo("arm64");
    assertThat(notes).anyMatch(note -> note.contains("kernel 6.1.0-28-arm64"));
  }

  @Test
  void dpkgPackageArchitecturesAreTheLastResort() throws IOException {
    write("var/lib/dpkg/status", """
        Package: base-files
        Status: install ok installed
        Architecture: arm64

        Package: tzdata
        Status: install ok installed
        Architecture: all

        Package: libc6
        Status: install ok installed
        Architecture: arm64
        """.getBytes(StandardCharsets.UTF_8));
    assertThat(probe()).isEqualTo("arm64");
  }

  @Test
  void anEmptyTreeIsUnknownAndSaysWhy() {
    assertThat(probe()).isEqualTo(ArchitectureProbe.UNKNOWN);
    assertThat(notes).containsExactly("architecture unknown: no ELF binary, kernel or dpkg database names one");
  }

  @Test
  void namesOfKernelsAndPackagesMapToOneSpelling() {
    assertThat(ArchitectureProbe.fromName("5.14.0-362.8.1.el9_3.x86_64")).contains("x86_64");
    assertThat(ArchitectureProbe.fromName("6.1.0-28-cloud-amd64")).contains("x86_64");
    assertThat(ArchitectureProbe.fromName("5.14.0-362.el9.aarch64")).contains("arm64");
    assertThat(ArchitectureProbe.fromName("6.1.0-28-686-pae")).contains("i386");
    assertThat(ArchitectureProbe.fromName("armhf")).contains("arm");
    assertThat(ArchitectureProbe.fromName("ppc64el")).contains("ppc64le");
    assertThat(ArchitectureProbe.fromName("all")).isEmpty();
    assertThat(ArchitectureProbe.elfMachine(new byte[] {0x7f, 'E', 'L', 'F'})).isEmpty();
  }

  private String probe() {
    return new ArchitectureProbe(new RootFileSystem(root)).probe(notes);
  }

  private Path write(String path, byte[] bytes) throws IOException {
    Path file = root.resolve(path);
    Files.createDirectories(file.getParent());
    return Files.write(file, bytes);
  }

  /** A 64-byte ELF64 header for {@code machine}, the rest of the file zeros. */
  private static byte[] elf(int machine, boolean bigEndian) {
    byte[] header = new byte[64];
    header[0] = 0x7f;
    header[1] = 'E';
    header[2] = 'L';
    header[3] = 'F';
    header[4] = 2;
    header[5] = (byte) (bigEndian ? 2 : 1);
    header[6] = 1;
    header[16] = (byte) (bigEndian ? 0 : 2);
    header[17] = (byte) (bigEndian ? 2 : 0);
    header[18] = (byte) (bigEndian ? machine >> 8 : machine);
    header[19] = (byte) (bigEndian ? machine : machine >> 8);
    return header;
  }
}
