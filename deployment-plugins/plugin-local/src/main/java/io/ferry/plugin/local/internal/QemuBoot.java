package io.ferry.plugin.local.internal;

import io.ferry.plugin.local.internal.JobRegistry.Kind;
import io.ferry.plugin.local.internal.JobRegistry.Resource;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.spi.BootCheck;
import io.ferry.standardization.spi.BootMode;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The local cloud's boot check: QEMU ({@code qemu-system-x86_64}) boots an image once on a qcow2
 * overlay in {@code boots/} whose backing file is the image (opened read-only: the image is never
 * written), with no network, 1 GiB of memory, one CPU, BIOS (SeaBIOS) or UEFI (OVMF, with a copy
 * of its variables), the serial console in a log file, and a time limit. The health signal is a
 * console line: systemd's "Reached target ... Multi-User System" or a login prompt. Lines that
 * show a boot cannot go on (a kernel panic, GRUB without a kernel, the initramfs shell, firmware
 * without a bootable disk, falling back to its shell) end the check at once.
 *
 * <p>In {@code auto} mode KVM is used where /dev/kvm opens; when the guest prints no line of its
 * kernel or init within {@link #KVM_STALL} (nested KVM that hangs the kernel after GRUB), or QEMU
 * fails under KVM before the guest's kernel spoke (a host whose KVM QEMU cannot drive aborts it at
 * start: "kvm_buf_set_msrs: Assertion ... failed"), the boot is done once more with TCG in what is
 * left of the time limit, and the check's detail says why.
 *
 * <p>Every file of a boot is named {@code boot-<job slug>-<random>...} and the QEMU command line
 * holds the overlay's path, so {@code deleteTagged} finds both after a crash ({@link #find},
 * {@link #delete}); the registry records the boot before anything exists.
 */
final class QemuBoot {

  /** The QEMU binary, from Debian's qemu-system-x86. */
  static final String QEMU = "qemu-system-x86_64";

  /** Makes NoCloud seeds without mounting, from Debian's cloud-image-utils. */
  static final String CLOUD_LOCALDS = "cloud-localds";

  /** OVMF's code and variables template, from Debian's ovmf. */
  static final Path OVMF_CODE = Path.of("/usr/share/OVMF/OVMF_CODE_4M.fd");

  static final Path OVMF_VARS = Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd");

  private static final Pattern HEALTHY =
      Pattern.compile("Reached target .*Multi-User System|^\\S+ login: ?$");

  private static final Pattern FAILED =
      Pattern.compile(
          "Kernel panic|you need to load the kernel first|\\(initramfs\\)|Gave up waiting for root"
              + "|grub rescue>|No bootable option or device was found|No bootable device|UEFI Interactive Shell");

  /** Lines of the guest's kernel or init (not of the firmware or the boot loader). */
  private static final Pattern GUEST = Pattern.compile("^\\[\\s*\\d+\\.\\d+\\]|Linux version|systemd|Welcome to");

  /** How long auto mode waits for the guest's first kernel or init line under KVM. */
  static final Duration KVM_STALL = Duration.ofSeconds(30);

  private static final Pattern CLOUD_INIT = Pattern.compile("cloud-init", Pattern.CASE_INSENSITIVE);

  private static final Pattern CLOUD_INIT_FINISHED = Pattern.compile("Cloud-init v\\. \\S+ finished");

  private static final Pattern ESCAPES = Pattern.compile("\u001B\\[[0-9;?]*[A-Za-z]|\u001B[()][A-Z0-9]|[\\x00-\\x08\\x0B-\\x1F\\x7F]");

  private static final int TAIL_LINES = 40;

  private static final long MEMORY_MIB = 1024;

  private static final Duration POLL = Duration.ofMillis(250);

  private final AccountLayout layout;
  private final JobRegistry registry;
  private final String accelerator;

  QemuBoot(AccountLayout layout, JobRegistry registry, String accelerator) {
    this.layout = layout;
    this.registry = registry;
    this.accelerator = accelerator;
  }

  /** Whether the QEMU binary is on the PATH. */
  static boolean available() {
    return onPath(QEMU);
  }

  /** Boots {@code image} (of {@code format}) for {@code jobId}; everything is gone on return. */
  BootCheck boot(String jobId, String bootId, Path image, DiskFormat format, BootMode bootMode, Duration timeout,
      boolean noCloudSeed) {
    if (!available()) {
      throw new FerryException(
          ErrorCode.HOST_OPERATION_FAILED,
          "local cloud: the boot check needs " + QEMU + " (Debian package qemu-system-x86), which is not on the PATH");
    }
    boolean uefi = bootMode == BootMode.UEFI;
    if (uefi && !(Files.isReadable(OVMF_CODE) && Files.isReadable(OVMF_VARS))) {
      throw new FerryException(
          ErrorCode.HOST_OPERATION_FAILED,
          "local cloud: booting a UEFI image needs OVMF (Debian package ovmf): " + OVMF_CODE + " is missing");
    }
    boolean kvm = useKvm();
    registry.record(jobId, Resource.of(Kind.BOOT, bootId));
    boolean seeded = noCloudSeed && onPath(CLOUD_LOCALDS);
    long started = System.nanoTime();
    try {
      Files.createDirectories(layout.boots());
      try {
        return attempt(jobId, bootId, image, format, uefi, kvm, timeout, seeded, noCloudSeed, kvm && auto());
      } catch (KvmUnusable e) {
        // KVM hung the guest or QEMU failed under it: once more with TCG, within what is left of
        // the time limit.
        delete(bootId);
        Duration left = timeout.minus(since(started));
        BootCheck check = attempt(jobId, bootId, image, format, uefi, false,
            left.isNegative() ? Duration.ofSeconds(1) : left, seeded, noCloudSeed, false);
        return new BootCheck(check.booted(), check.signal(), since(started),
            check.detail() + " (after " + e.getMessage() + ")", check.consoleTail());
      }
    } catch (IOException e) {
      throw IoErrors.translate("running the boot check " + bootId, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FerryException(ErrorCode.CANCELLED, "local cloud: the boot check " + bootId + " was interrupted");
    } finally {
      delete(bootId);
      registry.forget(jobId, Kind.BOOT, bootId);
    }
  }

  /**
   * Why auto mode gives up on KVM for a boot: the guest printed nothing of its kernel or init
   * within {@link #KVM_STALL}, or QEMU failed under KVM before it did. The message completes
   * "after ...".
   */
  private static final class KvmUnusable extends RuntimeException {
    KvmUnusable(String reason) {
      super(reason, null, false, false);
    }
  }

  /**
   * One boot: the overlay, the seed, QEMU, the watch; QEMU is killed on return.
   *
   * @throws KvmUnusable only when {@code kvmFallback}: KVM hung the guest or QEMU failed under it
   *     before the guest's kernel spoke
   */
  private BootCheck attempt(String jobId, String bootId, Path image, DiskFormat format, boolean uefi, boolean kvm,
      Duration timeout, boolean seeded, boolean noCloudSeed, boolean kvmFallback)
      throws IOException, InterruptedException {
    Path overlay = layout.boots().resolve(bootId + ".qcow2");
    Path console = layout.boots().resolve(bootId + ".console.log");
    Path output = layout.boots().resolve(bootId + ".qemu.log");
    Path variables = layout.boots().resolve(bootId + ".vars.fd");
    Path seed = layout.boots().resolve(bootId + ".seed.img");
    Process process = null;
    try {
      run(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-F", qemuFormat(format), "-b",
          image.toAbsolutePath().toString(), overlay.toString()));
      List<String> command = new ArrayList<>(List.of(QEMU, "-name", bootId, "-machine", "pc", "-accel",
          kvm ? "kvm" : "tcg", "-cpu", kvm ? "host" : "max", "-smp", "1", "-m", Long.toString(MEMORY_MIB),
          "-nodefaults", "-display", "none", "-no-reboot", "-nic", "none", "-serial", "file:" + console,
          "-drive", "file=" + overlay + ",format=qcow2,if=virtio,discard=ignore"));
      String marker = null;
      if (seeded) {
        marker = "FERRY-BOOT-CHECK-OK " + UUID.randomUUID();
        writeSeed(bootId, seed, marker);
        command.addAll(List.of("-drive", "file=" + seed + ",format=raw,if=virtio,readonly=on"));
      }
      if (uefi) {
        Files.copy(OVMF_VARS, variables, StandardCopyOption.REPLACE_EXISTING);
        command.addAll(List.of("-drive", "if=pflash,format=raw,readonly=on,file=" + OVMF_CODE,
            "-drive", "if=pflash,format=raw,file=" + variables));
      }
      Files.deleteIfExists(console);
      Files.createFile(console);
      ProcessBuilder builder = new ProcessBuilder(command).directory(layout.boots().toFile());
      builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      builder.redirectErrorStream(true);
      builder.redirectOutput(ProcessBuilder.Redirect.to(output.toFile()));
      long started = System.nanoTime();
      process = builder.start();
      ProcessHandle handle = process.toHandle();
      registry.record(jobId, new Resource(Kind.BOOT, bootId, handle.pid(), handle.info().startInstant().orElse(null)));
      String how = (kvm ? "KVM" : "TCG") + ", " + (uefi ? "UEFI (OVMF)" : "BIOS (SeaBIOS)") + ", virtio disk, no network"
          + (seeded ? ", NoCloud seed" : noCloudSeed ? ", no NoCloud seed (" + CLOUD_LOCALDS + " of Debian's cloud-image-utils is missing)" : "");
      return watch(process, console, output, timeout, started, how, marker, kvmFallback);
    } finally {
      if (process != null) {
        HelperProcesses.kill(process.toHandle());
      }
    }
  }

  private BootCheck watch(Process process, Path console, Path output, Duration timeout, long started, String how,
      String marker, boolean kvmFallback) throws IOException, InterruptedException {
    Deque<String> tail = new ArrayDeque<>();
    StringBuilder partial = new StringBuilder();
    long[] position = {0};
    long deadline = started + timeout.toNanos();
    boolean cloudInit = false;
    boolean guestSpoke = false;
    String healthy = null;
    while (true) {
      boolean exited = process.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS);
      for (String line : read(console, position, partial, exited)) {
        guestSpoke |= GUEST.matcher(line).find();
        tail.addLast(line);
        if (tail.size() > TAIL_LINES) {
          tail.removeFirst();
        }
        if (marker != null && line.contains(marker)) {
          return new BootCheck(true, line, since(started),
              how + ", cloud-init read the NoCloud seed (its user-data printed the marker)", List.copyOf(tail));
        }
        cloudInit |= CLOUD_INIT.matcher(line).find();
        if (FAILED.matcher(line).find()) {
          return new BootCheck(false, line, since(started), how + ", the console shows the boot failed", List.copyOf(tail));
        }
        if (marker != null && CLOUD_INIT_FINISHED.matcher(line).find()) {
          return new BootCheck(false, line, since(started),
              how + ", cloud-init finished without running the NoCloud seed's user-data", List.copyOf(tail));
        }
        if (healthy == null && HEALTHY.matcher(line).find()) {
          healthy = line;
        }
      }
      if (healthy != null && (marker == null || !cloudInit)) {
        return new BootCheck(true, healthy, since(started),
            how + ", health signal seen" + (marker == null ? "" : "; no cloud-init on the console, the NoCloud seed was not checked"),
            List.copyOf(tail));
      }
      if (kvmFallback && !guestSpoke && !exited && System.nanoTime() - started > KVM_STALL.toNanos()) {
        throw new KvmUnusable("KVM gave no kernel output within " + KVM_STALL.toSeconds() + " s");
      }
      if (exited) {
        String qemu = qemuOutput(output);
        String said = qemu.isEmpty() ? "" : ": " + qemu.lines().reduce((a, b) -> b).orElse("");
        if (kvmFallback && !guestSpoke && process.exitValue() != 0) {
          // QEMU itself failed under KVM (a guest that resets or powers off exits 0 with
          // -no-reboot, and TCG would not change that).
          throw new KvmUnusable("QEMU exited with " + process.exitValue() + " under KVM before the guest's kernel spoke" + said);
        }
        return new BootCheck(false, null, since(started),
            how + ", QEMU exited with " + process.exitValue() + " before a health signal" + said, List.copyOf(tail));
      }
      if (System.nanoTime() - deadline > 0) {
        return new BootCheck(false, null, since(started),
            how + ", no health signal within " + timeout.toSeconds() + " s"
                + (healthy != null ? " (multi-user reached, but cloud-init never printed the NoCloud seed's marker)" : ""),
            List.copyOf(tail));
      }
    }
  }

  /**
   * Reads the console from {@code position[0]} and returns its new complete lines (escape
   * sequences removed, blank lines dropped), advancing the position; an unfinished last line is
   * kept in {@code partial}, and returned too when it is a login prompt (which ends without a
   * newline) or when {@code all}. Reads at most 1 MiB per call: memory stays bounded whatever the
   * guest prints.
   */
  /** What QEMU printed; empty when a cleanup deleted the file under the check (QEMU is gone too). */
  private static String qemuOutput(Path output) throws IOException {
    try {
      return Files.readString(output, StandardCharsets.UTF_8).strip();
    } catch (NoSuchFileException deleted) {
      return "";
    }
  }

  private static List<String> read(Path console, long[] position, StringBuilder partial, boolean all) throws IOException {
    byte[] bytes;
    try (RandomAccessFile file = new RandomAccessFile(console.toFile(), "r")) {
      long available = Math.max(0, Math.min(file.length() - position[0], 1L << 20));
      bytes = new byte[(int) available];
      file.seek(position[0]);
      file.readFully(bytes);
    } catch (java.io.FileNotFoundException e) {
      return List.of(); // deleted under the check by a cleanup: QEMU is gone too
    }
    position[0] += bytes.length;
    partial.append(new String(bytes, StandardCharsets.UTF_8));
    List<String> lines = new ArrayList<>();
    int newline;
    while ((newline = partial.indexOf("\n")) >= 0) {
      String line = ESCAPES.matcher(partial.substring(0, newline)).replaceAll("").strip();
      partial.delete(0, newline + 1);
      if (!line.isEmpty()) {
        lines.add(line);
      }
    }
    String pending = ESCAPES.matcher(partial).replaceAll("").strip();
    if (!pending.isEmpty() && (all || HEALTHY.matcher(pending).find())) {
      lines.add(pending);
      partial.setLength(0);
    }
    return lines;
  }

  /**
   * Writes a NoCloud seed (a vfat/ISO image labelled cidata, made by {@code cloud-localds} without
   * mounting anything) whose user-data prints {@code marker} on the serial console early in boot
   * (bootcmd); the command spells the marker in two parts so that an echo of the command is not
   * taken for it.
   */
  private void writeSeed(String bootId, Path seed, String marker) throws IOException, InterruptedException {
    Path userData = layout.boots().resolve(bootId + ".user-data");
    Path metaData = layout.boots().resolve(bootId + ".meta-data");
    String[] parts = marker.split(" ", 2);
    String prefix = parts[0].substring(0, parts[0].lastIndexOf('-') + 1);
    String suffix = parts[0].substring(prefix.length());
    Files.writeString(userData, "#cloud-config\nbootcmd:\n  - [sh, -c, \"printf '" + prefix + "%s %s\\\\n' " + suffix + " "
        + parts[1] + " > /dev/ttyS0\"]\n", StandardCharsets.UTF_8);
    Files.writeString(metaData, "instance-id: " + bootId + "\nlocal-hostname: ferry-boot-check\n", StandardCharsets.UTF_8);
    run(List.of(CLOUD_LOCALDS, "--filesystem=iso", seed.toString(), userData.toString(), metaData.toString()));
  }

  /** The live QEMU processes of this account whose boot id starts with {@code idPrefix}. */
  List<ProcessHandle> find(String idPrefix) {
    String marker = "file=" + layout.boots().resolve(idPrefix);
    return ProcessHandle.allProcesses()
        .filter(ProcessHandle::isAlive)
        .filter(process -> List.of(process.info().arguments().orElse(new String[0])).stream()
            .anyMatch(argument -> argument.startsWith(marker)))
        .toList();
  }

  /** The boot ids of the files in {@code boots/} whose names start with {@code idPrefix}. */
  List<String> files(String idPrefix) {
    List<String> ids = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(layout.boots(), idPrefix + "*")) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        int dot = name.indexOf('.');
        String id = dot < 0 ? name : name.substring(0, dot);
        if (!ids.contains(id)) {
          ids.add(id);
        }
      }
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw IoErrors.translate("listing " + layout.boots(), e);
    }
    return ids;
  }

  /** Kills the QEMU process of {@code bootId} and deletes its files; whether anything existed. */
  boolean delete(String bootId) {
    boolean existed = false;
    for (ProcessHandle process : find(bootId + ".")) {
      HelperProcesses.kill(process);
      existed = true;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(layout.boots(), bootId + ".*")) {
      for (Path file : files) {
        existed |= Files.deleteIfExists(file);
      }
    } catch (NoSuchFileException e) {
      return existed;
    } catch (IOException e) {
      throw IoErrors.translate("deleting the files of boot check " + bootId, e);
    }
    return existed;
  }

  private boolean auto() {
    return !accelerator.equals("kvm") && !accelerator.equals("tcg");
  }

  private boolean useKvm() {
    return switch (accelerator) {
      case "kvm" -> true;
      case "tcg" -> false;
      default -> kvmUsable();
    };
  }

  /** Whether /dev/kvm can be opened for reading and writing. */
  static boolean kvmUsable() {
    File kvm = new File("/dev/kvm");
    if (!kvm.exists()) {
      return false;
    }
    try (RandomAccessFile ignored = new RandomAccessFile(kvm, "rw")) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static String qemuFormat(DiskFormat format) {
    return switch (format) {
      case RAW -> "raw";
      case QCOW2 -> "qcow2";
      case VMDK_MONOLITHIC_SPARSE, VMDK_STREAM_OPTIMIZED, VMDK_MONOLITHIC_FLAT -> "vmdk";
      case VHD_FIXED, VHD_DYNAMIC -> "vpc";
      case VHDX -> "vhdx";
      case OVA, GCP_IMAGE_TAR -> throw new FerryException(
          ErrorCode.UNSUPPORTED, "local cloud: the boot check cannot boot " + format.id() + " archives");
    };
  }

  private static Duration since(long started) {
    return Duration.ofNanos(System.nanoTime() - started);
  }

  private static boolean onPath(String binary) {
    String path = System.getenv("PATH");
    for (String folder : (path == null ? "/usr/bin:/bin" : path).split(File.pathSeparator)) {
      if (!folder.isEmpty() && Files.isExecutable(Path.of(folder, binary))) {
        return true;
      }
    }
    return false;
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new FerryException(ErrorCode.HOST_OPERATION_FAILED, "local cloud: " + command.get(0) + " failed: " + text.strip());
    }
  }
}
