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
    assertThat(rocky.presentLayers()).isEmpty();
  }
}
