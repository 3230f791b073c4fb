package io.ferry.plugin.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.standardization.spi.BootCheck;
import io.ferry.standardization.spi.CleanupReport;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.CloudPlugin;
import io.ferry.standardization.spi.JobTag;
import io.ferry.standardization.spi.PluginContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local cloud boots real Debian disks with QEMU (scripts/test-install.d/35-bootable-disk.sh):
 * a kvm-layered one (virtio drivers, NoCloud datasource) boots and its cloud-init runs the user-data
 * of the seed the plugin attached, one without its kernel fails with GRUB's words in the console
 * tail, and a boot whose caller "crashed" is killed and removed by deleteTagged (seed included).
 * The image file is never written. TCG (see {@link LocalAccounts#config}); about 30 s a boot on
 * this machine, so the time limits are generous.
 */
class BootCheckIT {

  private static final Duration LIMIT = Duration.ofMinutes(5);

  private static Path fixtures;

  @TempDir Path account;

  @BeforeAll
  static void buildFixtures() throws Exception {
    String qemu = LocalAccounts.qemuMissing();
    assumeTrue(qemu == null, qemu);
    Path root = Path.of("").toAbsolutePath();
    while (root != null && !Files.isDirectory(root.resolve("scripts/test-install.d"))) {
      root = root.getParent();
    }
    assumeTrue(root != null, "not inside the Ferry checkout");
    Process build = new ProcessBuilder("bash", "scripts/test-install.d/35-bootable-disk.sh")
        .directory(root.toFile()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    assertThat(build.waitFor(10, TimeUnit.MINUTES)).as("fixture build finished").isTrue();
    fixtures = root.resolve(".ferry/fixtures/bootable-disk");
    assumeTrue(Files.isRegularFile(fixtures.resolve("debian-12-kvm.raw")),
        "the bootable disk fixtures need root and an amd64 host (35-bootable-disk.sh skipped them)");
  }

  private CloudPlugin plugin() {
    return plugin(LocalAccounts.config(account, "qcow2", null));
  }

  private CloudPlugin plugin(CloudAccountConfig config) {
    return new LocalCloudPluginFactory().create(config, new PluginContext() {
      @Override
      public Clock clock() {
        return Clock.systemUTC();
      }

      @Override
      public Path scratchDirectory() {
        return account;
      }
    });
  }

  /** Copies the fixture (sparse) into images/ with a sidecar: a BIOS x86-64 image. */
  private String seed(String fixture, String layer) throws Exception {
    Path images = Files.createDirectories(account.resolve("images"));
    Path image = images.resolve(fixture);
    Process copy = new ProcessBuilder("cp", "--reflink=auto", "--sparse=always", fixtures.resolve(fixture).toString(),
        image.toString()).inheritIO().start();
    assertThat(copy.waitFor()).isZero();
    Files.writeString(images.resolve(fixture + ".ferry.json"),
        "{\"name\":\"" + fixture + "\",\"bootMode\":\"BIOS\",\"architecture\":\"X86_64\",\"cloudLayer\":\"" + layer + "\"}");
    return fixture;
  }

  @Test
  void aKvmDebianDiskBootsAndItsCloudInitReadsTheNoCloudSeedAndTheImageIsNotWritten() throws Exception {
    String imageId = seed("debian-12-kvm.raw", "kvm");
    Path image = account.resolve("images").resolve(imageId);
    FileTime modified = Files.getLastModifiedTime(image);
    JobTag tag = new JobTag("boot-it-ok");
    try (CloudPlugin plugin = plugin()) {
      BootCheck check = plugin.bootImage(imageId, tag, LIMIT);
      System.out.println("boot check: " + check.detail() + " in " + check.elapsed().toSeconds() + " s: " + check.signal());
      assertThat(check.booted()).as("%s; console: %s", check.detail(), check.consoleTail()).isTrue();
      assertThat(check.signal()).startsWith("FERRY-BOOT-CHECK-OK ");
      assertThat(check.consoleTail()).contains(check.signal());
      assertThat(check.detail()).contains("TCG").contains("BIOS").contains("cloud-init read the NoCloud seed");
      assertThat(Files.getLastModifiedTime(image)).as("the image file's time").isEqualTo(modified);
      assertThat(LocalAccounts.leftovers(account, tag)).as("left after the boot check").isEmpty();
    }
  }

  /**
   * The default accelerator: KVM where /dev/kvm opens, and TCG when the guest's kernel says
   * nothing under KVM for 30 s (nested KVM that hangs it after GRUB) or QEMU aborts under KVM
   * (seen on these machines: "kvm_buf_set_msrs: Assertion ... failed"); it boots either way, and
   * the detail names KVM: what booted or why it was left.
   */
  @Test
  void theAutoAcceleratorBootsWhateverKvmDoesOnThisHost() throws Exception {
    String imageId = seed("debian-12-kvm.raw", "kvm");
    JobTag tag = new JobTag("boot-it-auto");
    Map<String, String> settings = new HashMap<>(LocalAccounts.config(account, "qcow2", null).settings());
    settings.put("bootAccelerator", "auto");
    try (CloudPlugin plugin = plugin(new CloudAccountConfig("local-auto", null, null, settings, Map.of()))) {
      BootCheck check = plugin.bootImage(imageId, tag, LIMIT);
      System.out.println("boot check (auto): " + check.detail() + " in " + check.elapsed().toSeconds() + " s");
      assertThat(check.booted()).as("%s; console: %s", check.detail(), check.consoleTail()).isTrue();
      if (new java.io.File("/dev/kvm").canWrite()) {
        assertThat(check.detail()).matches("KVM, .*|TCG, .*\\(after (KVM gave no kernel output|QEMU exited with \\d+ under KVM).*\\)");
      }
      assertThat(LocalAccounts.leftovers(account, tag)).as("left after the boot check").isEmpty();
    }
  }

  @Test
  void aDiskWithoutItsKernelFailsWithGrubsErrorInTheConsoleTail() throws Exception {
    String imageId = seed("debian-12-aws-nokernel.raw", "aws");
    JobTag tag = new JobTag("boot-it-nokernel");
    try (CloudPlugin plugin = plugin()) {
      BootCheck check = plugin.bootImage(imageId, tag, LIMIT);
      assertThat(check.booted()).isFalse();
      assertThat(check.signal()).contains("you need to load the kernel first");
      assertThat(check.consoleTail()).anyMatch(line -> line.contains("not found"));
      assertThat(check.elapsed()).as("ended by the failure, not the time limit").isLessThan(LIMIT);
      assertThat(LocalAccounts.leftovers(account, tag)).as("left after the boot check").isEmpty();
    }
  }

  @Test
  void deleteTaggedKillsTheQemuOfACallerThatCrashedAndRemovesItsOverlay() throws Exception {
    String imageId = seed("debian-12-kvm.raw", "kvm");
    JobTag tag = new JobTag("boot-it-crash");
    CloudPlugin crashed = plugin();
    CompletableFuture<BootCheck> boot = CompletableFuture.supplyAsync(() -> crashed.bootImage(imageId, tag, LIMIT));
    Path boots = account.resolve("boots");
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (LocalAccounts.leftovers(account, tag).stream().noneMatch(found -> found.startsWith("qemu process"))) {
      assertThat(System.nanoTime() - deadline).as("QEMU started within a minute").isNegative();
      Thread.sleep(200);
    }
    assertThat(LocalAccounts.leftovers(account, tag)).anyMatch(found -> found.startsWith("boots/") && found.endsWith(".qcow2"));
    try (CloudPlugin recovered = plugin()) {
      CleanupReport report = recovered.deleteTagged(tag, List.of());
      assertThat(report.failed()).isEmpty();
      assertThat(report.deleted()).anyMatch(deleted -> deleted.startsWith("boot:boot-"));
      assertThat(LocalAccounts.leftovers(account, tag)).as("left after deleteTagged").isEmpty();
    }
    BootCheck check = boot.get(1, TimeUnit.MINUTES);
    assertThat(check.booted()).isFalse();
    assertThat(check.detail()).contains("QEMU exited");
    try (var files = Files.list(boots)) {
      assertThat(files.toList()).isEmpty();
    }
    assertThat(account.resolve("images").resolve(imageId)).as("the image is not a boot resource").exists();
    crashed.close();
  }
}
