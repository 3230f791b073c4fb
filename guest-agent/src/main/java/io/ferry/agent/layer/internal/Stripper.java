package io.ferry.agent.layer.internal;

import io.ferry.agent.layer.AgentOptions;
import io.ferry.standardization.layer.CloudLayer;
import io.ferry.standardization.layer.CloudLayerCatalogue;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Removes a source cloud's layer and generalizes the system. */
public final class Stripper {

  /** DHCP lease files of dhclient, NetworkManager and systemd-networkd. */
  static final List<String> LEASES =
      List.of(
          "/var/lib/dhcp/*.leases",
          "/var/lib/dhcp/*.lease",
          "/var/lib/dhclient/*.lease",
          "/var/lib/dhclient/*.leases",
          "/var/lib/NetworkManager/*.lease",
          "/run/systemd/netif/leases/*");

  /** Secrets beyond the catalogue's: host keys, cloud-init instance data and logs. */
  static final List<String> SECRETS =
      List.of(
          "/etc/ssh/ssh_host_*",
          "/var/lib/cloud/*",
          "/var/log/cloud-init.log",
          "/var/log/cloud-init-output.log");

  private final RootFileSystem fileSystem;
  private final CloudLayerCatalogue catalogue;
  private final SystemDetector detector;
  private final Systemd systemd;
  private final String family;
  private final AgentOptions options;

  public Stripper(
      RootFileSystem fileSystem,
      CloudLayerCatalogue catalogue,
      SystemDetector detector,
      String family,
      AgentOptions options) {
    this.fileSystem = fileSystem;
    this.catalogue = catalogue;
    this.detector = detector;
    this.systemd = new Systemd(fileSystem);
    this.family = family;
    this.options = options;
  }

  public void strip(CloudLayer source, ChangeSet changes) {
    String why = "strip " + source.id() + ": ";
    for (String unit : source.strip().units()) {
      systemd.disableAndMask(unit, changes, why + "agent unit disabled");
    }
    for (String pattern : source.strip().secretFiles()) {
      for (String path : fileSystem.glob(pattern)) {
        changes.remove(path, true, why + "secret of the cloud's agent");
      }
    }
    for (String pattern : source.strip().files()) {
      for (String path : fileSystem.glob(pattern)) {
        changes.remove(path, isSecret(path), why + "cloud-specific file");
      }
    }
    for (String injected :
        List.of(source.injectedCloudInitFile(), source.injectedDracutFile(), source.injectedGrubDropIn())) {
      changes.remove(injected, false, why + "what Ferry injected for this cloud");
    }
    edit(changes, "/etc/initramfs-tools/modules",
        text -> TextEdits.removeModuleBlock(text, source.id()), why + "Ferry's initramfs modules");
    for (String file : detector.cloudConfigFiles()) {
      edit(changes, file,
          text -> TextEdits.removeDatasources(text, source.detect().datasources()),
          why + "cloud-init datasource of the source cloud");
    }
    List<String> arguments = source.inject().kernelArguments();
    edit(changes, "/etc/default/grub",
        text -> TextEdits.editGrubDefaults(text, arguments, List.of()), why + "kernel console arguments");
    for (String dropIn : fileSystem.glob("/etc/default/grub.d/*.cfg")) {
      edit(changes, dropIn,
          text -> TextEdits.editGrubDefaults(text, arguments, List.of()), why + "kernel console arguments");
    }
    for (String entry : fileSystem.glob("/boot/loader/entries/*.conf")) {
      edit(changes, entry,
          text -> TextEdits.editBootLoaderEntry(text, arguments, List.of()), why + "kernel console arguments");
    }
    edit(changes, "/etc/kernel/cmdline",
        text -> TextEdits.editCommandLine(text, arguments, List.of()) + "\n", why + "kernel console arguments");
    generalize(source, changes);
  }

  private void generalize(CloudLayer source, ChangeSet changes) {
    String why = "generalize: ";
    if (fileSystem.isFile("/etc/machine-id") && fileSystem.read("/etc/machine-id").orElseThrow().length > 0) {
      changes.write("/etc/machine-id", new byte[0], why + "machine-id emptied (regenerated at first boot)");
    }
    if (fileSystem.isFile("/var/lib/dbus/machine-id") && !fileSystem.isSymbolicLink("/var/lib/dbus/machine-id")) {
      changes.remove("/var/lib/dbus/machine-id", false, why + "D-Bus machine-id");
    }
    for (String key : fileSystem.glob("/etc/ssh/ssh_host_*")) {
      changes.remove(key, true, why + "SSH host key");
    }
    for (String home : homes(source)) {
      changes.remove(home + "/.ssh/authorized_keys", true, why + "authorized_keys of the cloud's login user");
    }
    for (String pattern : LEASES) {
      for (String lease : fileSystem.glob(pattern)) {
        changes.remove(lease, false, why + "DHCP lease");
      }
    }
    for (String state : fileSystem.glob("/var/lib/cloud/*")) {
      if (!state.equals("/var/lib/cloud/scripts")) {
        changes.remove(state, true, why + "cloud-init instance state");
      }
    }
    changes.removeEmptyDirectories("/var/lib/cloud", why + "cloud-init instance state (directory names carry the instance id)");
    for (String log : List.of("/var/log/cloud-init.log", "/var/log/cloud-init-output.log")) {
      changes.remove(log, true, why + "cloud-init log (may hold user data)");
    }
    changes.remove("/etc/udev/rules.d/70-persistent-net.rules", false, why + "persistent net rules pin MAC addresses");
    changes.remove("/etc/cloud/cloud.cfg.d/50-curtin-networking.cfg", false, why + "installer network config pins MAC addresses");
    for (String netplan : fileSystem.glob("/etc/netplan/*.yaml")) {
      String text = fileSystem.readText(netplan).orElse("");
      if (text.contains("generated from information provided by the datasource")) {
        changes.remove(netplan, false, why + "network config cloud-init generated for the source instance");
      } else if (TextEdits.netplanPinsMac(text)) {
        edit(changes, netplan, TextEdits::netplanUnpinMac, why + "netplan MAC pinning removed");
      }
    }
    for (String generated : fileSystem.glob("/etc/network/interfaces.d/*")) {
      if (fileSystem.readText(generated).orElse("").contains("generated from information provided by the datasource")) {
        changes.remove(generated, false, why + "ifupdown config cloud-init generated for the source instance");
      }
    }
    for (String networkd : fileSystem.glob("/etc/systemd/network/*.network")) {
      edit(changes, networkd, TextEdits::networkdUnpinMac, why + "systemd-networkd MAC pinning removed");
    }
    for (String ifcfg : fileSystem.glob("/etc/sysconfig/network-scripts/ifcfg-*")) {
      edit(changes, ifcfg, t -> TextEdits.removeKeys(t, Set.of("HWADDR", "MACADDR")), why + "ifcfg MAC pinning removed");
    }
    for (String keyfile : fileSystem.glob("/etc/NetworkManager/system-connections/*")) {
      edit(changes, keyfile, t -> TextEdits.removeKeys(t, Set.of("mac-address")), why + "NetworkManager MAC pinning removed");
    }
    String fstab = fileSystem.readText("/etc/fstab").orElse(null);
    if (fstab != null) {
      TextEdits.FstabEdit edit = TextEdits.fstabToUuid(fstab, this::uuidOf);
      edit.warnings().forEach(changes::note);
      if (!edit.text().equals(fstab)) {
        changes.write("/etc/fstab", edit.text(), why + "fstab device names rewritten to UUID=");
      }
    }
  }

  private Optional<String> uuidOf(String device) {
    String known = options.deviceUuids().get(device);
    if (known != null) {
      return Optional.of(known);
    }
    Optional<Integer> partition = TextEdits.partitionNumber(device);
    if (partition.isPresent() && options.partitionUuids().containsKey(partition.get())) {
      return Optional.of(options.partitionUuids().get(partition.get()));
    }
    if (options.live()) {
      return Blkid.uuid(device);
    }
    return Optional.empty();
  }

  private List<String> homes(CloudLayer source) {
    Set<String> users = new LinkedHashSet<>(source.strip().defaultUsers());
    String cloudCfg = fileSystem.readText(SystemDetector.CLOUD_CFG).orElse("");
    boolean inDefaultUser = false;
    for (String line : cloudCfg.lines().toList()) {
      if (line.trim().startsWith("default_user:")) {
        inDefaultUser = true;
      } else if (inDefaultUser && line.trim().startsWith("name:")) {
        users.add(line.trim().substring(5).trim());
        break;
      }
    }
    List<String> homes = new ArrayList<>();
    homes.add("/root");
    String passwd = fileSystem.readText("/etc/passwd").orElse("");
    for (String user : users) {
      String home = "/home/" + user;
      for (String line : passwd.lines().toList()) {
        String[] fields = line.split(":");
        if (fields.length >= 6 && fields[0].equals(user) && fields[5].startsWith("/")) {
          home = fields[5];
        }
      }
      homes.add(home);
    }
    return homes;
  }

  /** Whether {@code path} matches a secret pattern of any cloud or of the generalization. */
  boolean isSecret(String path) {
    if (secretMatchers == null) {
      List<String> patterns = new ArrayList<>(SECRETS);
      catalogue.layers().forEach(l -> patterns.addAll(l.strip().secretFiles()));
      secretMatchers = new ArrayList<>();
      for (String pattern : patterns) {
        secretMatchers.add(FileSystems.getDefault().getPathMatcher("glob:" + pattern));
      }
    }
    if (path.startsWith("/var/lib/cloud/") || path.endsWith("/authorized_keys")) {
      return true;
    }
    return secretMatchers.stream().anyMatch(m -> m.matches(Path.of(path)));
  }

  private List<PathMatcher> secretMatchers;

  static void edit(ChangeSet changes, String path, java.util.function.UnaryOperator<String> edit, String reason) {
    Optional<String> text = changes.fileSystem().readText(path);
    if (text.isEmpty()) {
      return;
    }
    String edited = edit.apply(text.get());
    if (!edited.equals(text.get())) {
      changes.write(path, edited, reason);
    }
  }

  String family() {
    return family;
  }
}
