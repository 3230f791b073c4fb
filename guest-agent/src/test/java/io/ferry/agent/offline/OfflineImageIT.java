package io.ferry.agent.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.agent.FerryAgent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Offline mode on real GPT disk images (sfdisk, mkfs.ext4 -d, mkfs.vfat) holding the Debian tree
 * built from real packages: the agent loop-mounts the root partition, strips or injects, and leaves
 * no mount or loop device behind, also when the run fails. Verified by reading the file system
 * back with debugfs.
 */
class OfflineImageIT {

  private static final String ROOT_UUID = "5e6f7a8b-1c2d-4e3f-9a0b-c1d2e3f4a5b6";

  @TempDir Path temporary;

  @BeforeEach
  void needsRoot() throws Exception {
    assumeTrue(io.ferry.agent.offline.internal.HostCommands.runningAsRoot(),
        "offline mode needs root (losetup, mount): skipped because the tests do not run as root");
  }

  @Test
  void stripsTheRootPartitionOfAGptDiskAndLeavesNothingMounted() throws Exception {
    Path disk = disk(io.ferry.agent.layer.OsTreesAccess.copy("debian", "aws", temporary.resolve("tree")));
    assertThat(OfflineImage.partitions(disk)).extracting(Partition::number, Partition::fileSystem)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(1, "ext4"), org.assertj.core.groups.Tuple.tuple(15, "vfat"));

    String output = agent(0, "strip", "--image", disk.toString(), "--source", "aws", "--output", "json",
        "--scratch", temporary.toString());
    assertThat(output).contains("\"operation\" : \"strip\"").contains("SECRET_DELETED");

    String fstab = readBack(disk, "/etc/fstab");
    assertThat(fstab).contains("UUID=" + ROOT_UUID + "\t/\text4").contains("UUID=ABCD-1234\t/boot/efi\tvfat\tdefaults,nofail");
    assertThat(fstab).doesNotContain("/dev/xvda").doesNotContain("comment=cloudconfig");
    assertThat(readBack(disk, "/etc/machine-id")).isEmpty();
    assertThat(debugfs(disk, "stat /etc/amazon/ssm/amazon-ssm-agent.json")).contains("File not found");
    assertThat(debugfs(disk, "stat /etc/systemd/system/amazon-ssm-agent.service")).contains("Fast link dest: \"/dev/null\"");
    assertNothingLeftBehind(disk);

    agent(0, "inject", "--image", disk.toString(), "--target", "kvm", "--scratch", temporary.toString());
    assertThat(readBack(disk, "/etc/cloud/cloud.cfg.d/99_ferry-kvm.cfg")).contains("datasource_list: [ NoCloud, None ]");
    assertThat(readBack(disk, "/etc/initramfs-tools/modules")).contains("virtio_blk");
    assertNothingLeftBehind(disk);
  }

  @Test
  void detectAndDryRunLeaveTheImageByteForByteUnchanged() throws Exception {
    Path disk = disk(io.ferry.agent.layer.OsTreesAccess.copy("rhel", "vsphere", temporary.resolve("tree")));
    String before = run("sha256sum", disk.toString());
    String detected = agent(0, "detect", "--image", disk.toString(), "--output", "json", "--scratch", temporary.toString());
    assertThat(detected).contains("\"id\" : \"rocky\"").contains("vsphere");
    String plan = agent(0, "strip", "--image", disk.toString(), "--source", "vsphere", "--dry-run", "--scratch", temporary.toString());
    assertThat(plan).contains("dry run, nothing changed").contains("/etc/systemd/system/vmtoolsd.service -> /dev/null");
    assertThat(run("sha256sum", disk.toString())).isEqualTo(before);
    assertNothingLeftBehind(disk);
  }

  @Test
  void aFailingRunLeavesNoMountAndNoLoopDevice() throws Exception {
    Path tree = io.ferry.agent.layer.OsTreesAccess.copy("debian", null, temporary.resolve("tree"));
    Files.delete(tree.resolve("etc/os-release"));
    Files.writeString(tree.resolve("etc/os-release"), "ID=plan9\n");
    Path disk = disk(tree);
    String errors = agentErrors(3, "strip", "--image", disk.toString(), "--source", "aws", "--scratch", temporary.toString());
    assertThat(errors).contains("OS_UNSUPPORTED").contains("ID=plan9");
    assertNothingLeftBehind(disk);
    assertThat(readBack(disk, "/etc/machine-id")).isEqualTo("4f0c9a7be2d34c27b2f5e6a1d3c8b9e0\n");
  }

  @Test
  void qcow2ImagesAreConvertedToRawAndBack() throws Exception {
    Path raw = disk(io.ferry.agent.layer.OsTreesAccess.copy("debian", null, temporary.resolve("tree")));
    Path qcow2 = temporary.resolve("disk.qcow2");
    run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(), qcow2.toString());
    agent(0, "inject", "--image", qcow2.toString(), "--target", "gcp", "--scratch", temporary.toString());
    Path back = temporary.resolve("back.raw");
    run("qemu-img", "convert", "-f", "qcow2", "-O", "raw", qcow2.toString(), back.toString());
    assertThat(readBack(back, "/etc/cloud/cloud.cfg.d/99_ferry-gcp.cfg")).contains("GCE");
    assertNothingLeftBehind(qcow2);
    try (var files = Files.list(temporary)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("ferry-agent-") || n.startsWith("ferry-root-"));
    }
  }

  @Test
  void withoutRootTheErrorSaysWhatIsNeeded() throws Exception {
    Path jar = Path.of("target/ferry-agent.jar").toAbsolutePath();
    assumeTrue(Files.isRegularFile(jar) && Files.isExecutable(Path.of("/usr/bin/setpriv")),
        "needs the packaged agent jar and setpriv to run the agent as an unprivileged user");
    Path image = temporary.resolve("unprivileged.img");
    run("truncate", "-s", "1M", image.toString());
    temporary.toFile().setExecutable(true, false);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
        java, "-jar", jar.toString(), "strip", "--image", image.toString(), "--source", "aws")
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(output).isEqualTo(2);
    assertThat(output).contains("HOST_OPERATION_FAILED").contains("needs root").contains("--root DIR");
  }

  private Path disk(Path tree) throws Exception {
    Path rootFs = temporary.resolve("root.ext4");
    Path efi = temporary.resolve("efi.vfat");
    Files.deleteIfExists(rootFs);
    Files.deleteIfExists(efi);
    run("mkfs.ext4", "-q", "-F", "-U", ROOT_UUID, "-d", tree.toString(), rootFs.toString(), "40M");
    run("mkfs.vfat", "-i", "ABCD1234", "-C", efi.toString(), "8192");
    Path disk = temporary.resolve("disk.img");
    Files.deleteIfExists(disk);
    run("truncate", "-s", "52M", disk.toString());
    Path script = temporary.resolve("layout.sfdisk");
    Files.writeString(script, "label: gpt\n"
        + disk + "1 : start=22528, size=81920, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n"
        + disk + "15 : start=2048, size=16384, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n");
    run("sh", "-c", "sfdisk -q '" + disk + "' < '" + script + "'");
    run("dd", "if=" + rootFs, "of=" + disk, "bs=512", "seek=22528", "conv=notrunc,sparse", "status=none");
    run("dd", "if=" + efi, "of=" + disk, "bs=512", "seek=2048", "conv=notrunc", "status=none");
    return disk;
  }

  private String readBack(Path disk, String path) throws Exception {
    Path partition = temporary.resolve("readback.ext4");
    run("dd", "if=" + disk, "of=" + partition, "bs=512", "skip=22528", "count=81920", "status=none");
    return runQuietly("debugfs", "-R", "cat " + path, partition.toString());
  }

  private String debugfs(Path disk, String request) throws Exception {
    Path partition = temporary.resolve("readback.ext4");
    run("dd", "if=" + disk, "of=" + partition, "bs=512", "skip=22528", "count=81920", "status=none");
    return run("debugfs", "-R", request, partition.toString());
  }

  /** No loop device and no mount of this test's files (other processes may use loops meanwhile). */
  private void assertNothingLeftBehind(Path disk) throws Exception {
    assertThat(run("losetup", "-a")).doesNotContain(disk.toString()).doesNotContain(temporary.toString());
    assertThat(run("losetup", "--associated", disk.toString())).isEmpty();
    assertThat(Files.readString(Path.of("/proc/mounts"))).doesNotContain(temporary.toString());
  }

  private static String agent(int expectedStatus, String... arguments) {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int status;
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      status = FerryAgent.run(arguments);
    } finally {
      System.setOut(original);
    }
    String output = captured.toString(StandardCharsets.UTF_8);
    assertThat(status).as(output).isEqualTo(expectedStatus);
    return output;
  }

  private static String agentErrors(int expectedStatus, String... arguments) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int status;
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      status = FerryAgent.run(arguments);
    } finally {
      System.setErr(original);
    }
    String errors = captured.toString(StandardCharsets.UTF_8);
    assertThat(status).as(errors).isEqualTo(expectedStatus);
    return errors;
  }

  /** Runs a command; standard error (debugfs's banner) is dropped. */
  private static String runQuietly(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(String.join(" ", List.of(command))).isZero();
    return output;
  }

  private static String run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(String.join(" ", List.of(command)) + ": " + output).isZero();
    return output;
  }
}
