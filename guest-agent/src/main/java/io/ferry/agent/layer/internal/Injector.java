package io.ferry.agent.layer.internal;

import io.ferry.standardization.layer.AgentService;
import io.ferry.standardization.layer.CloudLayer;
import java.util.List;

/** Adds a target cloud's layer. */
public final class Injector {

  private final RootFileSystem fileSystem;
  private final SystemDetector detector;
  private final Systemd systemd;
  private final String family;

  public Injector(RootFileSystem fileSystem, SystemDetector detector, String family) {
    this.fileSystem = fileSystem;
    this.detector = detector;
    this.systemd = new Systemd(fileSystem);
    this.family = family;
  }

  public void inject(CloudLayer target, ChangeSet changes) {
    String why = "inject " + target.id() + ": ";
    if (detector.cloudInit().installed()) {
      StringBuilder config = new StringBuilder();
      config.append("# Written by Ferry (ferry-agent inject --target ").append(target.id())
          .append("); ferry-agent strip --source ").append(target.id()).append(" removes it.\n");
      config.append("datasource_list: [ ").append(String.join(", ", target.inject().datasources())).append(" ]\n");
      if (target.inject().cloudInitConfig() != null) {
        config.append(target.inject().cloudInitConfig());
        if (!target.inject().cloudInitConfig().endsWith("\n")) {
          config.append('\n');
        }
      }
      changes.write(target.injectedCloudInitFile(), config.toString(), why + "cloud-init datasource");
    } else {
      changes.note("cloud-init is not installed: no datasource configured for " + target.id());
    }
    for (AgentService agent : target.inject().agents()) {
      if (!detector.agentInstalled(agent)) {
        changes.note("agent package " + agent.packageName() + " is not installed: its service was not enabled");
        continue;
      }
      for (String unit : agent.units()) {
        if (!systemd.enable(unit, changes, why + "agent " + agent.packageName() + " enabled")
            && systemd.unitFile(unit).isPresent()) {
          changes.note("unit " + unit + " has no [Install] section: left as is");
        }
      }
    }
    injectDrivers(target, changes, why);
    injectKernelArguments(target, changes, why);
  }

  private void injectDrivers(CloudLayer target, ChangeSet changes, String why) {
    List<String> modules = target.inject().initramfsModules();
    if (modules.isEmpty()) {
      return;
    }
    boolean dracut =
        fileSystem.exists("/usr/bin/dracut") || fileSystem.exists("/usr/sbin/dracut")
            || fileSystem.exists("/sbin/dracut");
    if (dracut) {
      changes.write(
          target.injectedDracutFile(),
          "# Written by Ferry for " + target.id() + "; ferry-agent strip removes it.\n"
              + "add_drivers+=\" " + String.join(" ", modules) + " \"\n",
          why + "initramfs drivers (dracut)");
    } else if (fileSystem.isDirectory("/etc/initramfs-tools")) {
      String current = fileSystem.readText("/etc/initramfs-tools/modules").orElse("");
      changes.write(
          "/etc/initramfs-tools/modules",
          TextEdits.setModuleBlock(current, target.id(), modules),
          why + "initramfs drivers (initramfs-tools)");
    } else {
      changes.note("no dracut or initramfs-tools found: drivers " + modules + " not configured");
    }
  }

  private void injectKernelArguments(CloudLayer target, ChangeSet changes, String why) {
    List<String> arguments = target.inject().kernelArguments();
    if (arguments.isEmpty()) {
      return;
    }
    String reason = why + "kernel console arguments";
    if (fileSystem.isFile("/etc/default/grub")) {
      if (family.equals("debian")) {
        changes.write(
            target.injectedGrubDropIn(),
            "# Written by Ferry for " + target.id() + "; ferry-agent strip removes it.\n"
                + "GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX " + String.join(" ", arguments) + "\"\n",
            reason);
      } else {
        Stripper.edit(changes, "/etc/default/grub",
            text -> TextEdits.editGrubDefaults(text, List.of(), arguments), reason);
      }
    }
    for (String entry : fileSystem.glob("/boot/loader/entries/*.conf")) {
      Stripper.edit(changes, entry, text -> TextEdits.editBootLoaderEntry(text, List.of(), arguments), reason);
    }
    Stripper.edit(changes, "/etc/kernel/cmdline",
        text -> TextEdits.editCommandLine(text, List.of(), arguments) + "\n", reason);
  }
}
