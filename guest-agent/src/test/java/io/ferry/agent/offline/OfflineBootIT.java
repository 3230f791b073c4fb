package io.ferry.agent.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.agent.FerryAgent;
import io.ferry.agent.layer.LayerAgent;
import io.ferry.agent.layer.OsTreesAccess;
import io.ferry.agent.offline.internal.HostCommands;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Offline mode on disks laid out as cloud images are: a separate /boot and an EFI system partition
 * named by UUID in the root's fstab (RHEL family), and a real Debian 12 root (debootstrap, a real
 * kernel and initramfs-tools, scripts/test-install.d/30-debian-boot-root.sh) whose initramfs the
 * agent regenerates in a chroot. Read back with debugfs and the host's lsinitramfs; nothing may stay
 * mounted or attached.
 */
class OfflineBootIT {

  private static final String ROOT_UUID = "0b6c8f2e-3d4a-4e5f-8a9b-1c2d3e4f5a6b";
  private static final String BOOT_UUID = "7d1e2f3a-4b5c-4d6e-9f80-a1b2c3d4e5f6";
  private static final String BOOT_PARTUUID = "3f2e1d0c-b9a8-4776-8554-433221100ffe";
  private static final String RHEL_KERNEL = "5.14.0-427.13.1.el9_4.x86_64";
  private static final String BOOT_ONLY_KERNEL = "5.14.0-503.15.1.el9_5.x86_64";

  /** Partitions of the RHEL-style disk, in sectors: ESP, /boot (larger than the root), root. */
  private static final long ESP_START = 2048;
  private static final long ESP_SIZE = 16384;
  private static final long BOOT_START = 18432;
  private static final long BOOT_SIZE = 98304;
  private static final long ROOT_START = 116736;
  private static final long ROOT_SIZE = 81920;

  @TempDir Path temporary;

  @BeforeEach
  void needsRoot() {
    assumeTrue(HostCommands.runningAsRoot(),
        "offline mode needs root (losetup, mount, chroot): skipped because the tests do not run as root");
  }

  @Test
  void separateBootAndEfiPartitionsAreMountedUnderTheRootAndUnmountedAfter() throws Exception {
    Path disk = rhelDiskWithSeparateBoot();
    List<Partition> partitions = OfflineImage.partitions(disk);
    assertThat(partitions).extracting(Partition::number, Partition::fileSystem, Partition::label)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(1, "vfat", "ESP"),
            org.assertj.core.groups.Tuple.tuple(2, "ext4", "boot"), org.assertj.core.groups.Tuple.tuple(3, "ext4", "root"));
    assertThat(partitions.get(1).partitionUuid()).isEqualTo(BOOT_PARTUUID);
    assertThat(partitions.get(1).partitionLabel()).isEqualTo("boot");
    assertThat(partitions.get(0).uuid()).isEqualTo("ABCD-1234");

    String before = run("sha256sum", disk.toString());
    JsonNode detected = json(agent(0, "detect", "--image", disk.toString(), "--output", "json",
        "--scratch", temporary.toString()));
    assertThat(detected.path("os").path("id").asText()).isEqualTo("rocky");
    assertThat(strings(detected.path("kernels"))).contains(BOOT_ONLY_KERNEL, RHEL_KERNEL);
    assertThat(detected.path("bootMode").asText()).isEqualTo("uefi");
    assertThat(strings(detected.path("notes")))
        .contains("root: partition 3 (ext4), the largest Linux file system holding an os-release")
        .anyMatch(n -> n.startsWith("mounted partition 2 (ext4) on /boot read-only") && n.contains("UUID=" + BOOT_UUID))
        .anyMatch(n -> hostMountsVfat()
            ? n.startsWith("mounted partition 1 (vfat) on /boot/efi read-only")
            : n.startsWith("could not mount partition 1 (vfat) on /boot/efi, fstab's /boot/efi (UUID=ABCD-1234)"));
    assertThat(run("sha256sum", disk.toString())).as("detect writes nothing").isEqualTo(before);
    assertNothingLeftBehind(disk);

    JsonNode report = json(agent(0, "inject", "--image", disk.toString(), "--target", "vsphere",
        "--output", "json", "--scratch", temporary.toString()));
    String entry = "/loader/entries/4f0c9a7be2d34c27b2f5e6a1d3c8b9e0-" + BOOT_ONLY_KERNEL + ".conf";
    assertThat(readBack(disk, BOOT_START, BOOT_SIZE, entry))
        .contains("options root=UUID=" + ROOT_UUID + " ro no_timer_check net.ifnames=0 crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M"
            + " console=tty0 console=ttyS0,115200n8\n");
    assertThat(changes(report)).contains("MODIFIED /boot" + entry, "MODIFIED /etc/default/grub");
    assertThat(readBack(disk, ROOT_START, ROOT_SIZE, "/boot" + entry)).as("the root's own /boot is untouched").isEmpty();
    // The Rocky-style tree has dracut but not bash: the tool cannot run, so only the note is left.
    assertThat(strings(report.path("notes")))
        .anyMatch(n -> n.startsWith("initramfs not regenerated (the guest has no /bin/bash, the interpreter of /usr/bin/dracut)")
            && n.endsWith("run `dracut -f --regenerate-all` in the target"))
        .anyMatch(n -> n.startsWith("GRUB configuration not regenerated (the root has no grub.cfg"));
    assertThat(report.has("regenerations")).isFalse();
    assertThat(changes(report)).noneMatch(c -> c.startsWith("REGENERATED"));
    assertNothingLeftBehind(disk);
  }

  @Test
  void offlineInjectRegeneratesTheInitramfsOfARealDebianRootAndUndoRegeneratesWithout() throws Exception {
    Path fixture = debianBootRoot();
    String kernel;
    try (Stream<Path> files = Files.list(fixture.resolve("boot"))) {
      kernel = files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("initrd.img-")).findFirst()
          .orElseThrow().substring("initrd.img-".length());
    }
    String initrd = "/boot/initrd.img-" + kernel;
    assertThat(run("lsinitramfs", fixture.resolve(initrd.substring(1)).toString())).doesNotContain("vmw_pvscsi.ko");
    Path disk = debianDisk(fixture);

    String plan = agent(0, "inject", "--image", disk.toString(), "--target", "vsphere", "--dry-run",
        "--scratch", temporary.toString());
    assertThat(plan).contains("note: initramfs not regenerated (dry run: would run `update-initramfs -u -k all` in a chroot of the root)");

    JsonNode report = json(agent(0, "inject", "--image", disk.toString(), "--target", "vsphere",
        "--output", "json", "--scratch", temporary.toString()));
    JsonNode regeneration = report.path("regenerations").path(0);
    assertThat(regeneration.path("command").asText()).isEqualTo("update-initramfs -u -k all");
    assertThat(regeneration.path("exitStatus").asInt()).as(regeneration.path("output").asText()).isZero();
    assertThat(regeneration.path("output").asText()).contains("update-initramfs: Generating " + initrd);
    JsonNode change = change(report, "REGENERATED", initrd);
    assertThat(change.path("sha256Before").asText()).isNotEqualTo(change.path("sha256After").asText());
    assertThat(change.path("reason").asText()).contains("update-initramfs -u -k all").contains("inject vsphere");

    Path injected = dump(disk, initrd);
    assertThat(run("sha256sum", injected.toString())).startsWith(change.path("sha256After").asText());
    assertThat(run("lsinitramfs", injected.toString())).contains("vmw_pvscsi.ko").contains("vmxnet3.ko");
    assertNothingLeftBehind(disk);

    JsonNode undo = json(agent(0, "undo", "--image", disk.toString(), "--output", "json", "--scratch", temporary.toString()));
    assertThat(undo.path("regenerations").path(0).path("exitStatus").asInt()).isZero();
    assertThat(changes(undo)).contains("MODIFIED /etc/initramfs-tools/modules", "REGENERATED " + initrd);
    Path undone = dump(disk, initrd);
    assertThat(run("lsinitramfs", undone.toString())).doesNotContain("vmw_pvscsi.ko").doesNotContain("vmxnet3.ko");
    assertThat(readBack(disk, 2048, debianRootSectors(), "/etc/initramfs-tools/modules")).doesNotContain("vmw_pvscsi");
    assertNothingLeftBehind(disk);
  }

  @Test
  void aFailingGuestToolIsReportedItsLeftoversKilledAndEveryBindMountRemoved() throws Exception {
    Path fixture = debianBootRoot();
    // An initramfs-tools hook that leaves a process behind in the chroot and fails the build.
    Path hook = temporary.resolve("failing-hook");
    Files.writeString(hook, "#!/bin/sh\n[ \"$1\" = prereqs ] && exit 0\nsleep 300 &\necho ferry-test-hook failing\nexit 1\n");
    Path disk = debianDisk(fixture, "write " + hook + " /etc/initramfs-tools/hooks/ferry-test-hook",
        "sif /etc/initramfs-tools/hooks/ferry-test-hook mode 0100755");

    JsonNode report = json(agent(0, "inject", "--image", disk.toString(), "--target", "vsphere", "--output", "json",
        "--scratch", temporary.toString()));
    JsonNode regeneration = report.path("regenerations").path(0);
    assertThat(regeneration.path("command").asText()).isEqualTo("update-initramfs -u -k all");
    assertThat(regeneration.path("exitStatus").asInt()).isNotZero();
    assertThat(regeneration.path("output").asText()).contains("ferry-test-hook failing");
    assertThat(strings(report.path("notes"))).anyMatch(n -> n.startsWith("`update-initramfs -u -k all` failed in the root (exit "));
    assertThat(changes(report)).contains("MODIFIED /etc/initramfs-tools/modules").noneMatch(c -> c.startsWith("REGENERATED"));
    assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains("sleep 300"))
        .filter(p -> {
          try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "root")).startsWith(temporary);
          } catch (Exception e) {
            return false;
          }
        }).toList()).as("processes left inside the chroot").isEmpty();
    assertNothingLeftBehind(disk);
  }

  @Test
  void aGuestOfAnotherArchitectureOrRegenerationTurnedOffLeavesOnlyTheNote() throws Exception {
    Path tree = OsTreesAccess.copy("debian", null, temporary.resolve("tree"));
    boolean hostIsArm = System.getProperty("os.arch").equals("aarch64");
    String guest = hostIsArm ? "x86_64" : "arm64";
    byte[] elf = new byte[64];
    elf[0] = 0x7f;
    elf[1] = 'E';
    elf[2] = 'L';
    elf[3] = 'F';
    elf[4] = 2;
    elf[5] = 1;
    elf[6] = 1;
    elf[16] = 2;
    elf[18] = (byte) (hostIsArm ? 0x3e : 0xb7);
    Files.write(tree.resolve("lib/systemd/systemd"), elf);
    Path disk = smallDisk(tree);

    JsonNode report = json(agent(0, "inject", "--image", disk.toString(), "--target", "vsphere", "--output", "json",
        "--scratch", temporary.toString()));
    assertThat(report.path("system").path("architecture").asText()).isEqualTo(guest);
    assertThat(strings(report.path("notes"))).anyMatch(n -> n.startsWith("initramfs not regenerated (the guest is built for "
        + guest) && n.endsWith("run `update-initramfs -u -k all` in the target"));
    assertThat(report.has("regenerations")).isFalse();
    assertThat(changes(report)).contains("MODIFIED /etc/initramfs-tools/modules").noneMatch(c -> c.startsWith("REGENERATED"));

    JsonNode strip = json(agent(0, "strip", "--image", disk.toString(), "--source", "vsphere", "--no-regenerate",
        "--output", "json", "--scratch", temporary.toString()));
    assertThat(changes(strip)).contains("MODIFIED /etc/initramfs-tools/modules");
    assertThat(strings(strip.path("notes")))
        .contains("initramfs not regenerated (regeneration was not asked for): run `update-initramfs -u -k all` in the target");
    assertNothingLeftBehind(disk);
  }

  // ------------------------------------------------------------------ disks

  /** ESP (vfat, by UUID), /boot (ext4, by UUID, with the BLS entries) and the Rocky-style root. */
  private Path rhelDiskWithSeparateBoot() throws Exception {
    Path tree = OsTreesAccess.copy("rhel", "aws", temporary.resolve("tree"));
    Path boot = temporary.resolve("boot-tree");
    Files.createDirectories(boot);
    run("cp", "-a", tree.resolve("boot") + "/.", boot.toString());
    run("rm", "-rf", tree.resolve("boot").toString());
    Files.createDirectories(tree.resolve("boot"));
    Files.createDirectories(boot.resolve("efi"));
    Path entries = boot.resolve("loader/entries");
    Path oldEntry = entries.resolve("4f0c9a7be2d34c27b2f5e6a1d3c8b9e0-" + RHEL_KERNEL + ".conf");
    Files.writeString(entries.resolve("4f0c9a7be2d34c27b2f5e6a1d3c8b9e0-" + BOOT_ONLY_KERNEL + ".conf"),
        Files.readString(oldEntry).replace(RHEL_KERNEL, BOOT_ONLY_KERNEL).replace("6f1e4a52-8f7e-4c2b-9d3a-1b2c3d4e5f60", ROOT_UUID));
    Files.writeString(boot.resolve("vmlinuz-" + BOOT_ONLY_KERNEL), "");
    Files.writeString(boot.resolve("initramfs-" + BOOT_ONLY_KERNEL + ".img"), "");
    Files.writeString(tree.resolve("etc/fstab"),
        "UUID=" + ROOT_UUID + " /                       ext4    defaults        0 0\n"
            + "UUID=" + BOOT_UUID + " /boot                   ext4    defaults        1 2\n"
            + "UUID=ABCD-1234          /boot/efi               vfat    umask=0077,shortname=winnt 0 2\n");

    Path rootFs = temporary.resolve("root.ext4");
    Path bootFs = temporary.resolve("boot.ext4");
    Path efi = temporary.resolve("efi.vfat");
    run("mkfs.ext4", "-q", "-F", "-L", "root", "-U", ROOT_UUID, "-d", tree.toString(), rootFs.toString(), (ROOT_SIZE / 2) + "K");
    run("mkfs.ext4", "-q", "-F", "-L", "boot", "-U", BOOT_UUID, "-d", boot.toString(), bootFs.toString(), (BOOT_SIZE / 2) + "K");
    run("mkfs.vfat", "-n", "ESP", "-i", "ABCD1234", "-C", efi.toString(), Long.toString(ESP_SIZE / 2));
    Path disk = temporary.resolve("rhel.img");
    run("truncate", "-s", ((ROOT_START + ROOT_SIZE + 2048) * 512) + "", disk.toString());
    sfdisk(disk, "label: gpt\n"
        + "start=" + ESP_START + ", size=" + ESP_SIZE + ", type=" + Partition.GPT_EFI_SYSTEM + ", name=\"EFI System Partition\"\n"
        + "start=" + BOOT_START + ", size=" + BOOT_SIZE + ", type=" + Partition.GPT_LINUX_DATA + ", uuid=" + BOOT_PARTUUID + ", name=boot\n"
        + "start=" + ROOT_START + ", size=" + ROOT_SIZE + ", type=" + Partition.GPT_LINUX_ROOT_X86_64 + ", name=root\n");
    write(disk, efi, ESP_START);
    write(disk, bootFs, BOOT_START);
    write(disk, rootFs, ROOT_START);
    return disk;
  }

  /** One root partition holding the real Debian root, changed by {@code debugfs -w} requests. */
  private Path debianDisk(Path fixture, String... debugfsRequests) throws Exception {
    Path rootFs = temporary.resolve("debian.ext4");
    run("mkfs.ext4", "-q", "-F", "-U", ROOT_UUID, "-E", "root_owner=0:0", "-d", fixture.toString(), rootFs.toString(),
        (debianRootSectors() / 2) + "K");
    for (String request : debugfsRequests) {
      run("debugfs", "-w", "-R", request, rootFs.toString());
    }
    Path disk = temporary.resolve("debian.img");
    run("truncate", "-s", ((2048 + debianRootSectors() + 2048) * 512) + "", disk.toString());
    sfdisk(disk, "label: gpt\nstart=2048, size=" + debianRootSectors() + ", type=" + Partition.GPT_LINUX_ROOT_X86_64 + "\n");
    write(disk, rootFs, 2048);
    return disk;
  }

  private static long debianRootSectors() {
    return 480L * 2048;
  }

  /** The small Debian tree on a GPT disk (root only). */
  private Path smallDisk(Path tree) throws Exception {
    Path rootFs = temporary.resolve("small.ext4");
    run("mkfs.ext4", "-q", "-F", "-U", ROOT_UUID, "-d", tree.toString(), rootFs.toString(), "40M");
    Path disk = temporary.resolve("small.img");
    run("truncate", "-s", "42M", disk.toString());
    sfdisk(disk, "label: gpt\nstart=2048, size=81920, type=" + Partition.GPT_LINUX_DATA + "\n");
    write(disk, rootFs, 2048);
    return disk;
  }

  private Path debianBootRoot() throws Exception {
    Path project = Path.of("").toAbsolutePath();
    while (project != null && !Files.exists(project.resolve("scripts/test-install.d/30-debian-boot-root.sh"))) {
      project = project.getParent();
    }
    assertThat(project).as("project root").isNotNull();
    run("bash", project.resolve("scripts/test-install.d/30-debian-boot-root.sh").toString());
    Path root = project.resolve(".ferry/fixtures/debian-boot/root");
    assumeTrue(Files.isDirectory(root.resolve("boot")), "the Debian boot root fixture is built on amd64 hosts only");
    return root;
  }

  private void sfdisk(Path disk, String layout) throws Exception {
    Path script = temporary.resolve("layout.sfdisk");
    Files.writeString(script, layout);
    run("sh", "-c", "sfdisk -q '" + disk + "' < '" + script + "'");
  }

  private static void write(Path disk, Path fileSystem, long startSector) throws Exception {
    run("dd", "if=" + fileSystem, "of=" + disk, "bs=512", "seek=" + startSector, "conv=notrunc,sparse", "status=none");
  }

  /** Whether this host's kernel mounts vfat (some minimal VM kernels have no FAT driver). */
  private boolean hostMountsVfat() {
    try {
      Path image = temporary.resolve("probe.vfat");
      Path target = Files.createDirectories(temporary.resolve("probe-mount"));
      run("mkfs.vfat", "-C", image.toString(), "1024");
      Process mount = new ProcessBuilder("mount", "-t", "vfat", "-o", "ro,loop", image.toString(), target.toString())
          .redirectErrorStream(true).start();
      mount.getInputStream().readAllBytes();
      boolean mounted = mount.waitFor() == 0;
      if (mounted) {
        run("umount", target.toString());
      }
      Files.delete(target);
      Files.delete(image);
      return mounted;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  // ------------------------------------------------------------------ reading back

  private Path partition(Path disk, long start, long size) throws Exception {
    Path partition = temporary.resolve("readback.ext4");
    Files.deleteIfExists(partition);
    run("dd", "if=" + disk, "of=" + partition, "bs=1M", "iflag=skip_bytes,count_bytes", "skip=" + start * 512,
        "count=" + size * 512, "conv=sparse", "status=none");
    return partition;
  }

  private String readBack(Path disk, long start, long size, String path) throws Exception {
    return runQuietly("debugfs", "-R", "cat " + path, partition(disk, start, size).toString());
  }

  /** A file of the Debian disk's root, dumped with debugfs. */
  private Path dump(Path disk, String path) throws Exception {
    Path out = temporary.resolve("dumped-" + System.nanoTime());
    runQuietly("debugfs", "-R", "dump " + path + " " + out, partition(disk, 2048, debianRootSectors()).toString());
    assertThat(out).isRegularFile();
    return out;
  }

  /** No loop device, no mount (root, /boot, ESP, the chroot's binds) of this test's files. */
  private void assertNothingLeftBehind(Path disk) throws Exception {
    assertThat(run("losetup", "-a")).doesNotContain(disk.toString()).doesNotContain(temporary.toString());
    assertThat(Files.readString(Path.of("/proc/mounts"))).doesNotContain(temporary.toString());
    try (Stream<Path> files = Files.list(temporary)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("ferry-"));
    }
  }

  // ------------------------------------------------------------------ the agent

  private static JsonNode json(String output) throws Exception {
    return LayerAgent.json().readTree(output);
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(n -> values.add(n.asText()));
    return values;
  }

  /** "ACTION /path" of every change. */
  private static List<String> changes(JsonNode report) {
    List<String> values = new ArrayList<>();
    report.path("changes").forEach(c -> values.add(c.path("action").asText() + " " + c.path("path").asText()));
    return values;
  }

  private static JsonNode change(JsonNode report, String action, String path) {
    for (JsonNode change : report.path("changes")) {
      if (change.path("action").asText().equals(action) && change.path("path").asText().equals(path)) {
        return change;
      }
    }
    throw new AssertionError("no " + action + " " + path + " in " + changes(report));
  }

  private static String agent(int expectedStatus, String... arguments) {
    PrintStream original = System.out;
    PrintStream originalErr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    int status;
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
      status = FerryAgent.run(arguments);
    } finally {
      System.setOut(original);
      System.setErr(originalErr);
    }
    String output = captured.toString(StandardCharsets.UTF_8);
    assertThat(status).as(output + errors.toString(StandardCharsets.UTF_8)).isEqualTo(expectedStatus);
    return output;
  }

  private static String runQuietly(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(String.join(" ", command)).isZero();
    return output;
  }

  private static String run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
    return output;
  }
}
