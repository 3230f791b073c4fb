package io.ferry.agent.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.layer.CloudLayerCatalogue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Idempotence, undo, secrets, dry run, symlink confinement and refusal, on real OS trees. */
class LayerAgentIT {

  private final LayerAgent agent =
      new LayerAgent(CloudLayerCatalogue.builtIn(), Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC));

  @TempDir Path temporary;

  @Test
  void stripTwiceEqualsStripOnceAndInjectTwiceEqualsInjectOnce() throws Exception {
    for (String os : List.of("debian", "rhel")) {
      Path root = OsTrees.copy(os, "vsphere", temporary.resolve(os));
      agent.inject(root, "vsphere", AgentOptions.DEFAULTS);
      assertThat(agent.strip(root, "vsphere", AgentOptions.DEFAULTS).changes()).isNotEmpty();
      Map<String, String> once = OsTrees.snapshot(root);
      ChangeReport again = agent.strip(root, "vsphere", AgentOptions.DEFAULTS);
      assertThat(again.changes()).isEmpty();
      assertThat(OsTrees.snapshot(root)).isEqualTo(once);

      assertThat(agent.inject(root, "gcp", AgentOptions.DEFAULTS).changes()).isNotEmpty();
      Map<String, String> injected = OsTrees.snapshot(root);
      assertThat(agent.inject(root, "gcp", AgentOptions.DEFAULTS).changes()).isEmpty();
      assertThat(OsTrees.snapshot(root)).isEqualTo(injected);
    }
  }

  @Test
  void undoRestoresEverythingButSecretsWhichAreNeverCopied() throws Exception {
    Path root = OsTrees.copy("debian", "azure", temporary);
    Map<String, String> original = OsTrees.snapshot(root);
    byte[] ovfEnvironment = Files.readAllBytes(root.resolve("var/lib/waagent/ovf-env.xml"));

    ChangeReport strip = agent.strip(root, "azure", AgentOptions.DEFAULTS);
    List<String> secrets = strip.changes().stream()
        .filter(c -> c.action() == ChangeAction.SECRET_DELETED).map(Change::path).toList();
    assertThat(secrets).contains("/var/lib/waagent/ovf-env.xml", "/var/lib/waagent/TransportPrivate.pem",
        "/etc/ssh/ssh_host_ed25519_key", "/root/.ssh/authorized_keys", "/home/azureuser/.ssh/authorized_keys",
        "/var/lib/cloud/instances/i-0fixture/user-data.txt");
    assertThat(strip.secretPolicy()).contains("never copied");
    assertThat(strip.secretsDeleted()).isEqualTo(secrets.size());
    assertThat(strip.changes()).filteredOn(c -> c.action() == ChangeAction.SECRET_DELETED)
        .allSatisfy(c -> assertThat(c.backup()).isNull());

    // No byte of any secret is anywhere in the backup area.
    Path backup = root.resolve(strip.backupArea().substring(1));
    try (Stream<Path> files = Files.walk(backup)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String content = Files.readString(file, StandardCharsets.ISO_8859_1);
        assertThat(content).as(file.toString()).doesNotContain("fixture-secret").doesNotContain("PRIVATE KEY");
        assertThat(Files.readAllBytes(file)).isNotEqualTo(ovfEnvironment);
      }
    }
    assertThat(root.resolve("etc/machine-id")).isEmptyFile();

    ChangeReport undo = agent.undo(root, null, false);
    assertThat(undo.notes()).anyMatch(n -> n.contains("secret not restorable") && n.contains("ovf-env.xml"));
    Map<String, String> restored = OsTrees.snapshot(root);
    Map<String, String> expected = new java.util.TreeMap<>(original);
    for (String secret : secrets) {
      expected.remove(secret);
    }
    restored.keySet().removeIf(k -> expected.containsKey(k) == false && isDirectoryLeftBehind(restored, k));
    assertThat(restored).isEqualTo(expected);
  }

  private static boolean isDirectoryLeftBehind(Map<String, String> snapshot, String path) {
    return "dir".equals(snapshot.get(path));
  }

  @Test
  void generalizesIdentityNetworkAndStorageNames() throws Exception {
    Path root = OsTrees.copy("debian", "aws", temporary);
    agent.strip(root, "aws", new AgentOptions(false, false, Map.of("/dev/xvda15", "ABCD-1234"), Map.of(1, "1111-root")));
    assertThat(root.resolve("etc/machine-id")).exists().isEmptyFile();
    assertThat(root.resolve("var/lib/dbus/machine-id")).isSymbolicLink();
    try (Stream<Path> keys = Files.list(root.resolve("etc/ssh"))) {
      assertThat(keys.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("ssh_host_"));
    }
    assertThat(root.resolve("root/.ssh/authorized_keys")).doesNotExist();
    assertThat(root.resolve("home/admin/.ssh/authorized_keys")).doesNotExist();
    assertThat(root.resolve("var/lib/dhcp/dhclient.ens5.leases")).doesNotExist();
    assertThat(root.resolve("var/lib/cloud/instances")).doesNotExist();
    assertThat(root.resolve("var/lib/cloud/instance")).doesNotExist();
    assertThat(root.resolve("var/lib/cloud/scripts/per-boot/site.sh")).exists();
    assertThat(root.resolve("etc/udev/rules.d/70-persistent-net.rules")).doesNotExist();
    assertThat(root.resolve("etc/netplan/50-cloud-init.yaml")).doesNotExist();
    assertThat(root.resolve("etc/network/interfaces.d/50-cloud-init")).doesNotExist();
    assertThat(Files.readString(root.resolve("etc/netplan/60-storage-net.yaml")))
        .doesNotContain("macaddress").doesNotContain("set-name").contains("name: \"e*\"").contains("10.20.0.5/24");
    assertThat(Files.readString(root.resolve("etc/fstab")))
        .contains("UUID=1111-root\t/\text4\trw,discard,errors=remount-ro,x-systemd.growfs\t0\t1")
        .contains("UUID=ABCD-1234\t/boot/efi\tvfat\tdefaults,nofail")
        .doesNotContain("comment=cloudconfig");
    assertThat(Files.readString(root.resolve("etc/cloud/cloud.cfg.d/90_dpkg.cfg")))
        .doesNotContain("Ec2").contains("Azure").contains("GCE");
    assertThat(Files.readSymbolicLink(root.resolve("etc/systemd/system/amazon-ssm-agent.service"))).isEqualTo(Path.of("/dev/null"));
    assertThat(root.resolve("etc/systemd/system/multi-user.target.wants/amazon-ssm-agent.service")).doesNotExist();
    Path rhel = OsTrees.copy("rhel", "azure", temporary.resolve("rhel"));
    agent.strip(rhel, "azure", AgentOptions.DEFAULTS);
    assertThat(Files.readString(rhel.resolve("etc/sysconfig/network-scripts/ifcfg-eth0"))).doesNotContain("HWADDR").contains("DEVICE=eth0");
    assertThat(Files.readString(rhel.resolve("etc/NetworkManager/system-connections/cloud-init-eth0.nmconnection")))
        .doesNotContain("mac-address").contains("[ethernet]");
    assertThat(Files.getPosixFilePermissions(rhel.resolve("etc/NetworkManager/system-connections/cloud-init-eth0.nmconnection")))
        .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    assertThat(Files.readString(rhel.resolve("etc/fstab"))).contains("/dev/vda2 /boot"); // UUID unknown: left, reported
  }

  @Test
  void injectConfiguresDriversConsoleDatasourceAndAgents() throws Exception {
    Path debian = OsTrees.copy("debian", null, temporary.resolve("d"));
    ChangeReport report = agent.inject(debian, "vsphere", AgentOptions.DEFAULTS);
    assertThat(Files.readString(debian.resolve("etc/initramfs-tools/modules"))).contains("vmw_pvscsi\nvmxnet3\n");
    assertThat(Files.readString(debian.resolve("etc/default/grub.d/90-ferry-vsphere.cfg")))
        .contains("GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX console=tty0 console=ttyS0,115200n8\"");
    assertThat(Files.readString(debian.resolve("etc/cloud/cloud.cfg.d/99_ferry-vsphere.cfg")))
        .contains("datasource_list: [ VMware, OVF, None ]");
    assertThat(Files.readSymbolicLink(debian.resolve("etc/systemd/system/multi-user.target.wants/open-vm-tools.service")))
        .isEqualTo(Path.of("/lib/systemd/system/open-vm-tools.service"));
    assertThat(Files.readSymbolicLink(debian.resolve("etc/systemd/system/vmtoolsd.service")))
        .isEqualTo(Path.of("/lib/systemd/system/open-vm-tools.service"));
    assertThat(report.notes()).anyMatch(n -> n.contains("update-initramfs"));

    Path rhel = OsTrees.copy("rhel", null, temporary.resolve("r"));
    agent.inject(rhel, "azure", AgentOptions.DEFAULTS);
    assertThat(Files.readString(rhel.resolve("etc/dracut.conf.d/ferry-azure.conf")))
        .contains("add_drivers+=\" hv_vmbus hv_storvsc hv_netvsc \"");
    assertThat(Files.readString(rhel.resolve("etc/default/grub")))
        .contains("GRUB_CMDLINE_LINUX=\"no_timer_check net.ifnames=0 crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M console=ttyS0 earlyprintk=ttyS0 rootdelay=300\"");
    try (Stream<Path> entries = Files.list(rhel.resolve("boot/loader/entries"))) {
      assertThat(Files.readString(entries.findFirst().orElseThrow())).contains("ro no_timer_check").contains("earlyprintk=ttyS0 rootdelay=300");
    }
    // Merged /usr (/lib -> usr/lib): the enablement link names the unit under /usr/lib.
    assertThat(Files.readSymbolicLink(rhel.resolve("etc/systemd/system/multi-user.target.wants/waagent.service")))
        .isEqualTo(Path.of("/usr/lib/systemd/system/waagent.service"));
  }

  @Test
  void commandLineSpeaksJsonAndText() throws Exception {
    Path root = OsTrees.copy("debian", "gcp", temporary);
    String json = captured(() -> io.ferry.agent.FerryAgent.run("detect", "--root", root.toString(), "--output", "json"));
    var tree = LayerAgent.json().readTree(json);
    assertThat(tree.at("/os/id").asText()).isEqualTo("debian");
    assertThat(tree.at("/layers").findValuesAsText("cloud")).contains("gcp");
    String plan = captured(() -> io.ferry.agent.FerryAgent.run("strip", "--root", root.toString(), "--source", "gcp", "--dry-run"));
    assertThat(plan).contains("strip gcp (dry run, nothing changed)").contains("/etc/default/instance_configs.cfg");
    assertThat(root.resolve("etc/default/instance_configs.cfg")).exists();
    String report = captured(() -> io.ferry.agent.FerryAgent.run("strip", "--root", root.toString(), "--source", "gcp", "--output", "json"));
    assertThat(LayerAgent.json().readTree(report).at("/secretPolicy").asText()).contains("never copied");
    assertThat(root.resolve("etc/default/instance_configs.cfg")).doesNotExist();
  }

  private static String captured(java.util.function.IntSupplier command) {
    java.io.PrintStream original = System.out;
    java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
    try {
      System.setOut(new java.io.PrintStream(buffer, true, StandardCharsets.UTF_8));
      assertThat(command.getAsInt()).isZero();
    } finally {
      System.setOut(original);
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }

  @Test
  void dryRunPrintsThePlanAndChangesNothing() throws Exception {
    Path root = OsTrees.copy("rhel", "aws", temporary);
    Map<String, String> before = OsTrees.snapshot(root);
    ChangeReport plan = agent.strip(root, "aws", AgentOptions.DEFAULTS.withDryRun(true));
    assertThat(plan.dryRun()).isTrue();
    assertThat(plan.backupArea()).isNull();
    assertThat(plan.changes()).extracting(Change::path)
        .contains("/etc/amazon/ssm/amazon-ssm-agent.json", "/etc/machine-id",
            "/etc/systemd/system/multi-user.target.wants/amazon-ssm-agent.service");
    assertThat(OsTrees.snapshot(root)).isEqualTo(before);
  }

  @Test
  void absoluteSymlinksInTheTreeNeverReachHostFiles() throws Exception {
    Path host = temporary.resolve("host");
    Path root = temporary.resolve("root");
    Files.createDirectories(host.resolve("etc/cloud/cloud.cfg.d"));
    Path hostFile = host.resolve("etc/cloud/cloud.cfg.d/99_ferry-aws.cfg");
    Files.writeString(hostFile, "host file, must stay\n");
    Path hostMachineId = host.resolve("etc/machine-id");
    Files.writeString(hostMachineId, "hostmachineid\n");
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/os-release"), "ID=debian\nVERSION_ID=12\n");
    Files.createDirectories(root.resolve("lib/systemd/system"));
    Files.writeString(root.resolve("etc/machine-id.real"), "guestmachineid\n");
    // Links that would escape with host resolution: absolute and with '..'.
    Files.createSymbolicLink(root.resolve("etc/cloud"), host.resolve("etc/cloud").toAbsolutePath());
    Files.createSymbolicLink(root.resolve("etc/machine-id"), Path.of("../../../../../../" + hostMachineId));
    Files.createDirectories(root.resolve("usr/bin"));
    Files.writeString(root.resolve("usr/bin/cloud-init"), "");
    Files.createDirectories(root.resolve("var/lib"));
    Files.createSymbolicLink(root.resolve("var/lib/cloud"), Path.of("/"));
    Map<String, String> hostBefore = OsTrees.snapshot(host);

    agent.detect(root, false);
    agent.strip(root, "aws", AgentOptions.DEFAULTS);
    agent.inject(root, "aws", AgentOptions.DEFAULTS);
    agent.strip(root, "aws", AgentOptions.DEFAULTS);

    assertThat(OsTrees.snapshot(host)).isEqualTo(hostBefore);
    assertThat(Files.readString(hostFile)).isEqualTo("host file, must stay\n");
    assertThat(Files.readString(hostMachineId)).isEqualTo("hostmachineid\n");
    // What the links name inside the root was used instead.
    assertThat(root.resolve(host.resolve("etc/cloud/cloud.cfg.d").toString().substring(1))).isDirectory();
  }

  @Test
  void symlinkLoopsAreRefused() throws Exception {
    Path root = OsTrees.copy("debian", null, temporary);
    Files.delete(root.resolve("etc/fstab"));
    Files.createSymbolicLink(root.resolve("etc/fstab"), Path.of("/etc/fstab"));
    assertThatThrownBy(() -> agent.strip(root, "aws", AgentOptions.DEFAULTS))
        .isInstanceOf(FerryException.class)
        .hasMessageContaining("too many levels of symbolic links");
  }

  @Test
  void unknownOperatingSystemIsRefusedSayingWhatWasDetected() throws Exception {
    Path root = temporary.resolve("alpine");
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/os-release"), "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.20.0\n");
    Files.writeString(root.resolve("etc/inittab"), "::sysinit:/sbin/openrc sysinit\n");
    assertThatThrownBy(() -> agent.strip(root, "aws", AgentOptions.DEFAULTS))
        .isInstanceOf(FerryException.class)
        .satisfies(e -> assertThat(((FerryException) e).code()).isEqualTo(ErrorCode.OS_UNSUPPORTED))
        .hasMessageContaining("ID=alpine")
        .hasMessageContaining("version=3.20.0")
        .hasMessageContaining("init system=sysvinit");
    assertThat(agent.detect(root, false).os().supported()).isFalse();
    assertThat(root.resolve("var")).doesNotExist();
  }

  @Test
  void detectsOsPackagesAgentsAndDatasources() throws Exception {
    Path debian = OsTrees.copy("debian", "vsphere", temporary.resolve("d"));
    SystemDescription description = agent.detect(debian, false);
    assertThat(description.os().id()).isEqualTo("debian");
    assertThat(description.os().versionId()).isEqualTo("12");
    assertThat(description.packageManager()).isEqualTo("dpkg");
    assertThat(description.initSystem()).isEqualTo("systemd");
    assertThat(description.kernels()).containsExactly("6.1.0-28-cloud-amd64");
    // The fixture's binaries come from Debian's packages for this machine (open-vm-tools).
    String hostArchitecture = System.getProperty("os.arch").equals("aarch64") ? "arm64" : "x86_64";
    assertThat(description.architecture()).isEqualTo(hostArchitecture);
    assertThat(description.notes()).anyMatch(note -> note.startsWith("architecture " + hostArchitecture + ": ELF headers of"));
    assertThat(description.cloudInit().datasourceList()).contains("Ec2", "Azure", "None");
    assertThat(description.presentLayers()).containsExactly("vsphere");
    assertThat(description.agents()).anySatisfy(a -> {
      assertThat(a.packageName()).isEqualTo("open-vm-tools");
      assertThat(a.installed()).isTrue();
      assertThat(a.units()).containsEntry("open-vm-tools.service", "enabled");
    });
    Path rhel = OsTrees.copy("rhel", null, temporary.resolve("r"));
    SystemDescription rocky = agent.detect(rhel, false);
    assertThat(rocky.os().family()).isEqualTo("rhel");
    assertThat(rocky.os().id()).isEqualTo("rocky");
    assertThat(rocky.packageManager()).isEqualTo("rpm");
    assertThat(rocky.architecture()).isEqualTo(hostArchitecture);
    assertThat(rocky.presentLayers()).isEmpty();
  }
}
