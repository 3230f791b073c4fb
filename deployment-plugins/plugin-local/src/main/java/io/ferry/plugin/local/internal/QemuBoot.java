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
 * <p>Every file of a boot is named {@code boot-<job slug>-<random>...} and the QEMU command line
 * holds the overlay's path, so {@code deleteTagged} finds both after a crash ({@link #find},
 * {@link #delete}); the registry records the boot before anything exists.
 */
final class QemuBoot {

  /** The QEMU binary, from Debian's qemu-system-x86. */
  static final String QEMU = "qemu-system-x86_64";

  /** OVMF's code and variables template, from Debian's ovmf. */
  static final Path OVMF_CODE = Path.of("/usr/share/OVMF/OVMF_CODE_4M.fd");

  static final Path OVMF_VARS = Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd");

  private static final Pattern HEALTHY =
      Pattern.compile("Reached target .*Multi-User System|^\\S+ login: ?$");

  private static final Pattern FAILED =
      Pattern.compile(
          "Kernel panic|you need to load the kernel first|\\(initramfs\\)|Gave up waiting for root"
              + "|grub rescue>|No bootable option or device was found|No bootable device|UEFI Interactive Shell");

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
  BootCheck boot(String jobId, String bootId, Path image, DiskFormat format, BootMode bootMode, Duration timeout) {
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
    Path overlay = layout.boots().resolve(bootId + ".qcow2");
    Path console = layout.boots().resolve(bootId + ".console.log");
    Path output = layout.boots().resolve(bootId + ".qemu.log");
    Path variables = layout.boots().resolve(bootId + ".vars.fd");
    Process process = null;
    long started = System.nanoTime();
    try {
      Files.createDirectories(layout.boots());
      run(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-F", qemuFormat(format), "-b",
          image.toAbsolutePath().toString(), overlay.toString()));
      List<String> command = new ArrayList<>(List.of(QEMU, "-name", bootId, "-machine", "pc", "-accel",
          kvm ? "kvm" : "tcg", "-cpu", kvm ? "host" : "max", "-smp", "1", "-m", Long.toString(MEMORY_MIB),
          "-nodefaults", "-display", "none", "-no-reboot", "-nic", "none", "-serial", "file:" + console,
          "-drive", "file=" + overlay + ",format=qcow2,if=virtio,discard=ignore"));
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
      started = System.nanoTime();
      process = builder.start();
      ProcessHandle handle = process.toHandle();
      registry.record(jobId, new Resource(Kind.BOOT, bootId, handle.pid(), handle.info().startInstant().orElse(null)));
      String how = (kvm ? "KVM" : "TCG") + ", " + (uefi ? "UEFI (OVMF)" : "BIOS (SeaBIOS)") + ", virtio disk, no network";
      return watch(process, console, output, timeout, started, how);
    } catch (IOException e) {
      throw IoErrors.translate("running the boot check " + bootId, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FerryException(ErrorCode.CANCELLED, "local cloud: the boot check " + bootId + " was interrupted");
    } finally {
      if (process != null) {
        HelperProcesses.kill(process.toHandle());
      }
      delete(bootId);
      registry.forget(jobId, Kind.BOOT, bootId);
    }
  }

  private BootCheck watch(Process process, Path console, Path output, Duration timeout, long started, String how)
      throws IOException, InterruptedException {
    Deque<String> tail = new ArrayDeque<>();
    StringBuilder partial = new StringBuilder();
    long position = 0;
    long deadline = started + timeout.toNanos();
    while (true) {
      boolean exited = process.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS);
      position = read(console, position, partial, tail);
      for (String line : tail) {
        if (HEALTHY.matcher(line).find()) {
          return new BootCheck(true, line, since(started), how + ", health signal seen", List.copyOf(tail));
        }
      }
      String failure = tail.stream().filter(line -> FAILED.matcher(line).find()).findFirst().orElse(null);
      if (failure != null) {
        return new BootCheck(false, failure, since(started), how + ", the console shows the boot failed", List.copyOf(tail));
      }
      if (exited) {
        read(console, position, partial.append('\n'), tail);
        String qemu = Files.exists(output) ? Files.readString(output, StandardCharsets.UTF_8).strip() : "";
        return new BootCheck(false, null, since(started),
            how + ", QEMU exited with " + process.exitValue() + " before a health signal"
                + (qemu.isEmpty() ? "" : ": " + qemu.lines().reduce((a, b) -> b).orElse("")),
            List.copyOf(tail));
      }
      if (System.nanoTime() - deadline > 0) {
        return new BootCheck(false, null, since(started),
            how + ", no health signal within " + timeout.toSeconds() + " s", List.copyOf(tail));
      }
    }
  }

  /**
   * Reads the console from {@code position}, adds its complete lines (escape sequences removed,
   * blank lines dropped) to {@code tail}, keeping the last {@value #TAIL_LINES}; returns the new
   * position. Reads at most 1 MiB per call: memory stays bounded whatever the guest prints.
   */
  private static long read(Path console, long position, StringBuilder partial, Deque<String> tail) throws IOException {
    byte[] bytes;
    if (!Files.exists(console)) {
      return position; // deleted under the check by a cleanup: QEMU is gone too
    }
    try (RandomAccessFile file = new RandomAccessFile(console.toFile(), "r")) {
      long available = Math.min(file.length() - position, 1L << 20);
      if (available <= 0 && partial.indexOf("\n") < 0) {
        return position;
      }
      bytes = new byte[(int) Math.max(available, 0)];
      file.seek(position);
      file.readFully(bytes);
    } catch (java.io.FileNotFoundException e) {
      return position;
    }
    partial.append(new String(bytes, StandardCharsets.UTF_8));
    int newline;
    while ((newline = partial.indexOf("\n")) >= 0) {
      String line = ESCAPES.matcher(partial.substring(0, newline)).replaceAll("").strip();
      partial.delete(0, newline + 1);
      if (!line.isEmpty()) {
        tail.addLast(line);
        if (tail.size() > TAIL_LINES) {
          tail.removeFirst();
        }
      }
    }
    // A login prompt has no newline after it: look at the unfinished line too.
    String pending = ESCAPES.matcher(partial).replaceAll("").strip();
    if (HEALTHY.matcher(pending).find()) {
      tail.addLast(pending);
      partial.setLength(0);
    }
    return position + bytes.length;
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
