package io.ferry.agent.layer.internal;

import io.ferry.agent.layer.SystemDescription;
import io.ferry.agent.layer.SystemDescription.AgentState;
import io.ferry.agent.layer.SystemDescription.CloudInitState;
import io.ferry.agent.layer.SystemDescription.LayerPresence;
import io.ferry.agent.layer.SystemDescription.OperatingSystem;
import io.ferry.standardization.layer.AgentService;
import io.ferry.standardization.layer.CloudLayer;
import io.ferry.standardization.layer.CloudLayerCatalogue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads what a root holds: OS, package manager, init system, boot mode, architecture, kernels,
 * cloud layers.
 */
public final class SystemDetector {

  /** The cloud-init files read for the effective datasource list, cloud.cfg first. */
  public static final String CLOUD_CFG = "/etc/cloud/cloud.cfg";

  public static final String CLOUD_CFG_D = "/etc/cloud/cloud.cfg.d";

  private final RootFileSystem fileSystem;
  private final CloudLayerCatalogue catalogue;
  private final boolean live;
  private final Systemd systemd;

  public SystemDetector(RootFileSystem fileSystem, CloudLayerCatalogue catalogue, boolean live) {
    this.fileSystem = fileSystem;
    this.catalogue = catalogue;
    this.live = live;
    this.systemd = new Systemd(fileSystem);
  }

  public SystemDescription detect() {
    List<String> notes = new ArrayList<>();
    OperatingSystem os = operatingSystem(notes);
    String packageManager = packageManager();
    String initSystem = initSystem();
    String bootMode = bootMode(notes);
    String architecture = new ArchitectureProbe(fileSystem).probe(notes);
    CloudInitState cloudInit = cloudInit();
    Set<String> installed = installedPackages();
    List<AgentState> agents = new ArrayList<>();
    List<LayerPresence> layers = new ArrayList<>();
    for (CloudLayer layer : catalogue.layers()) {
      Set<String> packages = new LinkedHashSet<>(layer.detect().packages());
      layer.inject().agents().forEach(a -> packages.add(a.packageName()));
      for (String name : packages) {
        Map<String, String> units = new LinkedHashMap<>();
        for (AgentService agent : layer.inject().agents()) {
          if (agent.packageName().equals(name)) {
            agent.units().forEach(u -> units.put(u, systemd.state(u)));
          }
        }
        boolean isInstalled = packageInstalled(name, installed, packageManager, units);
        if (isInstalled || units.values().stream().anyMatch(s -> !s.equals("absent"))) {
          agents.add(new AgentState(layer.id(), name, isInstalled, units));
        }
      }
      layers.add(presence(layer, cloudInit));
    }
    return new SystemDescription(
        os, packageManager, initSystem, bootMode, architecture, kernels(), cloudInit, agents, layers, notes);
  }

  private LayerPresence presence(CloudLayer layer, CloudInitState cloudInit) {
    List<String> signals = new ArrayList<>();
    List<String> effective =
        cloudInit.datasourceList().stream().filter(d -> !d.equals("None")).toList();
    if (!effective.isEmpty() && layer.detect().datasources().containsAll(effective)) {
      signals.add("cloud-init datasource_list " + effective + " in " + cloudInit.datasourceListFile());
    }
    for (String unit : layer.detect().units()) {
      if (systemd.state(unit).equals("enabled")) {
        signals.add("unit " + unit + " enabled");
      }
    }
    for (String pattern : layer.detect().files()) {
      for (String path : fileSystem.glob(pattern)) {
        signals.add("file " + path);
      }
    }
    if (live) {
      for (Map.Entry<String, List<String>> dmi : layer.detect().dmi().entrySet()) {
        String value = fileSystem.readText("/sys/class/dmi/id/" + dmi.getKey()).orElse("").trim();
        for (String prefix : dmi.getValue()) {
          if (!value.isEmpty() && value.startsWith(prefix)) {
            signals.add("DMI " + dmi.getKey() + "=" + value);
          }
        }
      }
    }
    return new LayerPresence(layer.id(), !signals.isEmpty(), signals);
  }

  private boolean packageInstalled(
      String name, Set<String> installed, String packageManager, Map<String, String> units) {
    if (packageManager.equals("dpkg")) {
      return installed.contains(name);
    }
    // No rpm database reader: an agent package counts as installed when its unit files are.
    return !units.isEmpty() && units.values().stream().anyMatch(s -> !s.equals("absent"));
  }

  private Set<String> installedPackages;
  private String packageManager;

  /** Package names dpkg lists as installed; empty on other package managers. Read once. */
  public Set<String> installedPackages() {
    if (installedPackages == null) {
      installedPackages = readInstalledPackages();
    }
    return installedPackages;
  }

  private Set<String> readInstalledPackages() {
    Set<String> result = new TreeSet<>();
    String status = fileSystem.readText("/var/lib/dpkg/status").orElse("");
    String name = null;
    for (String line : status.lines().toList()) {
      if (line.startsWith("Package:")) {
        name = line.substring(8).trim();
      } else if (line.startsWith("Status:") && name != null && line.contains("install ok installed")) {
        result.add(name);
      } else if (line.isEmpty()) {
        name = null;
      }
    }
    return result;
  }

  /** Whether a package is installed: dpkg status, or (rpm, no reader) the units of an agent. */
  public boolean agentInstalled(AgentService agent) {
    if (packageManager().equals("dpkg")) {
      return installedPackages().contains(agent.packageName());
    }
    return agent.units().stream().anyMatch(u -> systemd.unitFile(u).isPresent());
  }

  OperatingSystem operatingSystem(List<String> notes) {
    String source = fileSystem.isFile("/etc/os-release") ? "/etc/os-release" : "/usr/lib/os-release";
    var text = fileSystem.readText(source);
    if (text.isEmpty()) {
      notes.add("no /etc/os-release or /usr/lib/os-release");
      return new OperatingSystem(null, List.of(), "unknown", null, null, null, false);
    }
    Map<String, String> values = TextEdits.keyValues(text.get());
    String id = values.getOrDefault("ID", "linux");
    List<String> idLike =
        List.of(values.getOrDefault("ID_LIKE", "").trim().split("\\s+")).stream()
            .filter(s -> !s.isEmpty())
            .toList();
    List<String> names = new ArrayList<>(idLike);
    names.add(0, id);
    String family = "unknown";
    if (names.stream().anyMatch(n -> n.equals("debian") || n.equals("ubuntu"))) {
      family = "debian";
    } else if (names.stream()
        .anyMatch(n -> List.of("rhel", "fedora", "centos", "rocky", "almalinux", "ol", "amzn").contains(n))) {
      family = "rhel";
    } else if (names.stream().anyMatch(n -> n.startsWith("suse") || n.startsWith("opensuse") || n.equals("sles"))) {
      family = "suse";
    }
    boolean supported = family.equals("debian") || family.equals("rhel");
    return new OperatingSystem(
        id,
        idLike,
        family,
        values.get("NAME"),
        values.get("VERSION_ID"),
        values.get("PRETTY_NAME"),
        supported);
  }

  String packageManager() {
    if (packageManager == null) {
      packageManager = readPackageManager();
    }
    return packageManager;
  }

  private String readPackageManager() {
    if (fileSystem.isFile("/var/lib/dpkg/status")) {
      return "dpkg";
    }
    for (String path : List.of("/var/lib/rpm", "/usr/lib/sysimage/rpm")) {
      if (fileSystem.isDirectory(path) && !fileSystem.list(path).isEmpty()) {
        return "rpm";
      }
    }
    return "unknown";
  }

  String initSystem() {
    if (fileSystem.exists("/lib/systemd/systemd") || fileSystem.exists("/usr/lib/systemd/systemd")
        || fileSystem.isDirectory("/lib/systemd/system") || fileSystem.isDirectory("/usr/lib/systemd/system")) {
      return "systemd";
    }
    if (fileSystem.exists("/sbin/openrc")) {
      return "openrc";
    }
    if (fileSystem.exists("/etc/inittab")) {
      return "sysvinit";
    }
    return "unknown";
  }

  String bootMode(List<String> notes) {
    if (live) {
      boolean efi = fileSystem.isDirectory("/sys/firmware/efi");
      notes.add("boot mode from /sys/firmware/efi (live)");
      return efi ? "uefi" : "bios";
    }
    boolean efiLoader = !fileSystem.list("/boot/efi/EFI").isEmpty();
    boolean efiMount =
        fileSystem.readText("/etc/fstab").orElse("").lines()
            .anyMatch(l -> !l.trim().startsWith("#") && l.contains("/boot/efi"));
    if (efiLoader || efiMount) {
      notes.add("boot mode uefi: " + (efiLoader ? "/boot/efi/EFI has loaders" : "fstab mounts /boot/efi"));
      return "uefi";
    }
    if (fileSystem.isDirectory("/boot/grub") || fileSystem.isDirectory("/boot/grub2")) {
      notes.add("boot mode bios: /boot/grub without an EFI system partition");
      return "bios";
    }
    return "unknown";
  }

  List<String> kernels() {
    Set<String> versions = new TreeSet<>();
    for (String name : fileSystem.list("/boot")) {
      if (name.startsWith("vmlinuz-")) {
        versions.add(name.substring("vmlinuz-".length()));
      }
    }
    for (String directory : List.of("/lib/modules", "/usr/lib/modules")) {
      versions.addAll(fileSystem.list(directory));
    }
    return List.copyOf(versions);
  }

  /** cloud-init's installation and effective datasource_list (cloud.cfg, then cloud.cfg.d). */
  public CloudInitState cloudInit() {
    boolean installed = fileSystem.exists("/usr/bin/cloud-init") || fileSystem.isFile(CLOUD_CFG);
    List<String> list = List.of();
    String from = null;
    for (String file : cloudConfigFiles()) {
      List<TextEdits.DatasourceList> lists =
          TextEdits.datasourceLists(fileSystem.readText(file).orElse(""));
      if (!lists.isEmpty()) {
        list = lists.get(lists.size() - 1).entries();
        from = file;
      }
    }
    return new CloudInitState(installed, list, from);
  }

  /** cloud.cfg and the *.cfg files of cloud.cfg.d in the order cloud-init merges them. */
  public List<String> cloudConfigFiles() {
    List<String> files = new ArrayList<>();
    if (fileSystem.isFile(CLOUD_CFG)) {
      files.add(CLOUD_CFG);
    }
    for (String name : fileSystem.list(CLOUD_CFG_D)) {
      String path = CLOUD_CFG_D + "/" + name;
      if (name.endsWith(".cfg") && fileSystem.isFile(path)) {
        files.add(path);
      }
    }
    return files;
  }
}
