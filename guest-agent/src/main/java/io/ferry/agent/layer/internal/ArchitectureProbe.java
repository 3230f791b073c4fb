package io.ferry.agent.layer.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the CPU architecture an OS tree was built for, without running anything from it: the ELF
 * header of its init and shell binaries first (what the kernel will execute), then the names of its
 * kernel module directories, then dpkg's package architectures. Names follow the kernel's {@code
 * uname -m} spelling except {@code arm64} (Debian's and the clouds' name for aarch64): {@code
 * x86_64}, {@code arm64}, {@code i386}, {@code arm}, {@code riscv64}, {@code ppc64le}, {@code
 * ppc64}, {@code s390x}, or {@code unknown}.
 */
public final class ArchitectureProbe {

  /** The name when nothing in the tree tells. */
  public static final String UNKNOWN = "unknown";

  /** Binaries every Linux root has, in the order they are asked (links resolved inside the root). */
  static final List<String> CORE_BINARIES = List.of(
      "/usr/lib/systemd/systemd", "/lib/systemd/systemd", "/sbin/init", "/usr/sbin/init", "/bin/sh",
      "/usr/bin/sh", "/bin/bash", "/usr/bin/bash", "/bin/ls", "/usr/bin/ls", "/usr/bin/env");

  /** Folders scanned for ELF files when no core binary is there, at most this many files each. */
  static final List<String> BINARY_FOLDERS = List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin");

  static final int SCANNED_PER_FOLDER = 200;

  private static final int ELF_HEADER = 20;

  private final RootFileSystem fileSystem;

  public ArchitectureProbe(RootFileSystem fileSystem) {
    this.fileSystem = fileSystem;
  }

  /** The tree's architecture; {@code notes} receives the evidence. */
  public String probe(List<String> notes) {
    for (String path : CORE_BINARIES) {
      Optional<String> machine = elfMachine(path);
      if (machine.isPresent()) {
        notes.add("architecture " + machine.get() + ": ELF header of " + path);
        return machine.get();
      }
    }
    Map<String, Integer> votes = new LinkedHashMap<>();
    String example = null;
    for (String folder : BINARY_FOLDERS) {
      List<String> names = fileSystem.list(folder);
      for (String name : names.subList(0, Math.min(names.size(), SCANNED_PER_FOLDER))) {
        String path = RootFileSystem.child(folder, name);
        Optional<String> machine = elfMachine(path);
        if (machine.isPresent()) {
          votes.merge(machine.get(), 1, Integer::sum);
          example = example == null ? path : example;
        }
      }
    }
    Optional<String> fromBinaries = winner(votes);
    if (fromBinaries.isPresent()) {
      notes.add("architecture " + fromBinaries.get() + ": ELF headers of " + votes + " files such as " + example);
      return fromBinaries.get();
    }
    List<String> kernels = new ArrayList<>(fileSystem.list("/lib/modules"));
    kernels.addAll(fileSystem.list("/usr/lib/modules"));
    for (String kernel : kernels) {
      Optional<String> machine = fromName(kernel);
      if (machine.isPresent()) {
        notes.add("architecture " + machine.get() + ": kernel " + kernel);
        return machine.get();
      }
    }
    Optional<String> fromDpkg = dpkgArchitecture();
    if (fromDpkg.isPresent()) {
      notes.add("architecture " + fromDpkg.get() + ": package architectures in /var/lib/dpkg/status");
      return fromDpkg.get();
    }
    notes.add("architecture unknown: no ELF binary, kernel or dpkg database names one");
    return UNKNOWN;
  }

  /** The machine an ELF file is built for, if {@code path} is a regular ELF file. */
  Optional<String> elfMachine(String path) {
    return fileSystem.readHead(path, ELF_HEADER).flatMap(ArchitectureProbe::elfMachine);
  }

  /** The machine of an ELF header ({@code e_machine} at offset 18, in the header's byte order). */
  static Optional<String> elfMachine(byte[] header) {
    if (header.length < ELF_HEADER || header[0] != 0x7f || header[1] != 'E' || header[2] != 'L' || header[3] != 'F') {
      return Optional.empty();
    }
    boolean bits64 = header[4] == 2;
    boolean bigEndian = header[5] == 2;
    int low = header[18] & 0xff;
    int high = header[19] & 0xff;
    int machine = bigEndian ? (low << 8) | high : (high << 8) | low;
    return Optional.ofNullable(switch (machine) {
      case 0x03 -> "i386";
      case 0x3e -> "x86_64";
      case 0xb7 -> "arm64";
      case 0x28 -> "arm";
      case 0xf3 -> bits64 ? "riscv64" : "riscv32";
      case 0x15 -> bigEndian ? "ppc64" : "ppc64le";
      case 0x16 -> "s390x";
      default -> null;
    });
  }

  /** The architecture a kernel release or package architecture name ends with, if any. */
  static Optional<String> fromName(String name) {
    String lower = name.toLowerCase(java.util.Locale.ROOT);
    if (lower.endsWith("amd64") || lower.endsWith("x86_64")) {
      return Optional.of("x86_64");
    }
    if (lower.endsWith("arm64") || lower.endsWith("aarch64")) {
      return Optional.of("arm64");
    }
    if (lower.endsWith("ppc64le") || lower.endsWith("ppc64el")) {
      return Optional.of("ppc64le");
    }
    if (lower.endsWith("s390x")) {
      return Optional.of("s390x");
    }
    if (lower.endsWith("riscv64")) {
      return Optional.of("riscv64");
    }
    if (lower.endsWith("armhf") || lower.endsWith("armel") || lower.endsWith("armv7l")) {
      return Optional.of("arm");
    }
    if (lower.endsWith("i386") || lower.endsWith("i686") || lower.endsWith("686-pae")) {
      return Optional.of("i386");
    }
    return Optional.empty();
  }

  private Optional<String> dpkgArchitecture() {
    Map<String, Integer> votes = new LinkedHashMap<>();
    for (String line : fileSystem.readText("/var/lib/dpkg/status").orElse("").lines().toList()) {
      if (line.startsWith("Architecture:")) {
        fromName(line.substring("Architecture:".length()).trim()).ifPresent(a -> votes.merge(a, 1, Integer::sum));
      }
    }
    return winner(votes);
  }

  private static Optional<String> winner(Map<String, Integer> votes) {
    return votes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey);
  }
}
