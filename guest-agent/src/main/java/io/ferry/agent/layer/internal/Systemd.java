package io.ferry.agent.layer.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** systemd unit state in a root, read and changed the way {@code systemctl} would offline. */
public final class Systemd {

  /** Where packages install unit files, in lookup order after /etc. */
  static final List<String> UNIT_DIRECTORIES =
      List.of("/etc/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system");

  private static final String ADMIN = "/etc/systemd/system";

  private final RootFileSystem fileSystem;

  public Systemd(RootFileSystem fileSystem) {
    this.fileSystem = fileSystem;
  }

  /** The in-root path of the unit's file as a package installed it, if any. */
  public Optional<String> unitFile(String unit) {
    for (String directory : UNIT_DIRECTORIES.subList(1, UNIT_DIRECTORIES.size())) {
      String path = RootFileSystem.child(directory, unit);
      if (fileSystem.isFile(path)) {
        return Optional.of(path);
      }
    }
    String admin = RootFileSystem.child(ADMIN, unit);
    if (fileSystem.isFile(admin) && !fileSystem.isSymbolicLink(admin)) {
      return Optional.of(admin);
    }
    return Optional.empty();
  }

  /** Whether the unit is masked (its /etc name links to /dev/null). */
  public boolean masked(String unit) {
    return fileSystem
        .linkTarget(RootFileSystem.child(ADMIN, unit))
        .map(t -> t.equals("/dev/null"))
        .orElse(false);
  }

  /** The {@code *.wants}/{@code *.requires} links in /etc that start the unit. */
  public List<String> enablementLinks(String unit) {
    List<String> links = new ArrayList<>();
    for (String entry : fileSystem.list(ADMIN)) {
      if (entry.endsWith(".wants") || entry.endsWith(".requires")) {
        String link = ADMIN + "/" + entry + "/" + unit;
        if (fileSystem.isSymbolicLink(link)) {
          links.add(link);
        }
      }
    }
    return links;
  }

  /** enabled, disabled, masked or absent. */
  public String state(String unit) {
    if (masked(unit)) {
      return "masked";
    }
    if (!enablementLinks(unit).isEmpty()) {
      return "enabled";
    }
    return unitFile(unit).isPresent() ? "disabled" : "absent";
  }

  /** Removes the unit's enablement links and alias links, then masks it if it is installed. */
  public void disableAndMask(String unit, ChangeSet changes, String reason) {
    for (String link : enablementLinks(unit)) {
      changes.remove(link, false, reason);
    }
    Optional<String> file = unitFile(unit);
    if (file.isPresent()) {
      for (String alias : installValues(file.get(), "Alias")) {
        String aliasLink = RootFileSystem.child(ADMIN, alias);
        if (fileSystem.isSymbolicLink(aliasLink) && !masked(alias)) {
          changes.remove(aliasLink, false, reason);
        }
      }
      changes.symlink(RootFileSystem.child(ADMIN, unit), "/dev/null", reason + " (masked)");
    }
  }

  /**
   * Unmasks the unit and creates the links its [Install] section asks for. Returns false when the
   * unit is not installed or has no [Install] section.
   */
  public boolean enable(String unit, ChangeSet changes, String reason) {
    if (masked(unit)) {
      changes.remove(RootFileSystem.child(ADMIN, unit), false, reason + " (unmasked)");
    }
    Optional<String> file = unitFile(unit);
    if (file.isEmpty()) {
      return false;
    }
    List<String> wantedBy = installValues(file.get(), "WantedBy");
    List<String> requiredBy = installValues(file.get(), "RequiredBy");
    if (wantedBy.isEmpty() && requiredBy.isEmpty()) {
      return false;
    }
    for (String target : wantedBy) {
      changes.symlink(ADMIN + "/" + target + ".wants/" + unit, file.get(), reason);
    }
    for (String target : requiredBy) {
      changes.symlink(ADMIN + "/" + target + ".requires/" + unit, file.get(), reason);
    }
    for (String alias : installValues(file.get(), "Alias")) {
      if (!masked(alias)) {
        changes.symlink(RootFileSystem.child(ADMIN, alias), file.get(), reason);
      }
    }
    return true;
  }

  /** The space-separated values of {@code key} in the unit file's [Install] section. */
  List<String> installValues(String unitFile, String key) {
    String text = fileSystem.readText(unitFile).orElse("");
    List<String> values = new ArrayList<>();
    boolean install = false;
    for (String line : text.lines().toList()) {
      String trimmed = line.trim();
      if (trimmed.startsWith("[")) {
        install = trimmed.equals("[Install]");
        continue;
      }
      if (install && trimmed.startsWith(key + "=")) {
        for (String value : trimmed.substring(key.length() + 1).trim().split("\\s+")) {
          if (!value.isEmpty()) {
            values.add(value);
          }
        }
      }
    }
    return values;
  }
}
