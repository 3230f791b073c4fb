package io.ferry.agent.layer.internal;

import io.ferry.agent.layer.Change;
import io.ferry.agent.layer.ChangeAction;
import io.ferry.agent.layer.Regeneration;
import io.ferry.agent.offline.internal.HostCommands;
import io.ferry.standardization.FerryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Rebuilds the initramfs and the GRUB configuration after a run changed their configuration, with
 * the guest's own tools in a chroot of the root ({@link GuestChroot}): Debian family {@code
 * update-initramfs -u -k all} and {@code update-grub} (only when /boot/grub/grub.cfg exists), RHEL
 * family {@code dracut -f --regenerate-all} and {@code grub2-mkconfig -o} the existing grub.cfg.
 * Only when it is safe: asked for, not a dry run, running as root, the guest built for this host's
 * architecture, the tool and its interpreter present in the guest. Otherwise the report notes why
 * and the command to run in the target. Every file a tool changed under /boot (and initramfs-tools'
 * state) is recorded as a {@link ChangeAction#REGENERATED} change with its hashes.
 */
public final class Regenerator {

  /** What can need rebuilding. */
  public enum Kind {
    INITRAMFS("initramfs"),
    BOOT_LOADER("GRUB configuration");

    private final String description;

    Kind(String description) {
      this.description = description;
    }
  }

  /** Where a regeneration's changes and notes go. */
  public interface Sink {
    void change(Change change);

    void note(String note);
  }

  /** The default time limit of one command. */
  public static final Duration TIME_LIMIT = Duration.ofMinutes(10);

  private final RootFileSystem fileSystem;
  private final String family;
  private final String guestArchitecture;
  private final String hostArchitecture;
  private final boolean live;
  private final Duration timeLimit;

  public Regenerator(RootFileSystem fileSystem, String family, String guestArchitecture, boolean live) {
    this(fileSystem, family, guestArchitecture, hostArchitecture(), live, TIME_LIMIT);
  }

  Regenerator(RootFileSystem fileSystem, String family, String guestArchitecture, String hostArchitecture,
      boolean live, Duration timeLimit) {
    this.fileSystem = fileSystem;
    this.family = family;
    this.guestArchitecture = guestArchitecture;
    this.hostArchitecture = hostArchitecture;
    this.live = live;
    this.timeLimit = timeLimit;
  }

  /** What the changed paths ask to rebuild: initramfs-tools or dracut configuration, GRUB defaults. */
  public static Set<Kind> needed(Collection<String> changedPaths) {
    Set<Kind> kinds = EnumSet.noneOf(Kind.class);
    for (String path : changedPaths) {
      if (path.startsWith("/etc/initramfs-tools/") || path.equals("/etc/dracut.conf")
          || path.startsWith("/etc/dracut.conf.d/")) {
        kinds.add(Kind.INITRAMFS);
      }
      if (path.equals("/etc/default/grub") || path.startsWith("/etc/default/grub.d/")) {
        kinds.add(Kind.BOOT_LOADER);
      }
    }
    return kinds;
  }

  /** This JVM's architecture in {@link ArchitectureProbe}'s names. */
  static String hostArchitecture() {
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    return switch (arch) {
      case "amd64", "x86_64" -> "x86_64";
      case "aarch64", "arm64" -> "arm64";
      case "x86", "i386", "i486", "i586", "i686" -> "i386";
      case "arm" -> "arm";
      default -> arch.isEmpty() ? ArchitectureProbe.UNKNOWN : arch;
    };
  }

  /** A command to run and what it may change. */
  private record Step(Kind kind, String tool, List<String> command, List<String> watched) {
    String text() {
      return String.join(" ", command);
    }
  }

  /**
   * Rebuilds {@code kinds} when possible, else notes why and what to run in the target.
   *
   * @param regenerate whether the caller asked for regeneration
   * @param dryRun plan only
   * @param why the run's reason prefix ({@code inject vsphere})
   */
  public List<Regeneration> regenerate(Set<Kind> kinds, boolean regenerate, boolean dryRun, String why, Sink sink) {
    List<Regeneration> runs = new ArrayList<>();
    for (Kind kind : Kind.values()) {
      if (!kinds.contains(kind)) {
        continue;
      }
      String manual = manualCommand(kind);
      if (manual == null) {
        sink.note(kind.description + " not regenerated: no known tool for the " + family + " family;"
            + " rebuild it in the target");
        continue;
      }
      Object planned = plan(kind);
      if (planned instanceof String skip) {
        sink.note(kind.description + " not regenerated (" + skip + ")");
        continue;
      }
      Step step = (Step) planned;
      String blocker = blocker(step, regenerate, dryRun);
      if (blocker != null) {
        sink.note(kind.description + " not regenerated (" + blocker + "): run `" + manual + "` in the target");
        continue;
      }
      runs.add(run(step, why, sink));
    }
    return runs;
  }

  private String manualCommand(Kind kind) {
    return switch (family) {
      case "debian" -> kind == Kind.INITRAMFS ? "update-initramfs -u -k all" : "update-grub";
      case "rhel" -> kind == Kind.INITRAMFS ? "dracut -f --regenerate-all" : "grub2-mkconfig -o /boot/grub2/grub.cfg";
      default -> null;
    };
  }

  /** The step, or (a String) why there is nothing to run. */
  private Object plan(Kind kind) {
    if (family.equals("debian")) {
      if (kind == Kind.INITRAMFS) {
        return new Step(kind, "/usr/sbin/update-initramfs", List.of("update-initramfs", "-u", "-k", "all"),
            List.of("/boot", "/var/lib/initramfs-tools"));
      }
      if (!fileSystem.isFile("/boot/grub/grub.cfg")) {
        return "the root has no /boot/grub/grub.cfg; if the target boots it with GRUB, run `update-grub` there";
      }
      return new Step(kind, "/usr/sbin/update-grub", List.of("update-grub"), List.of("/boot"));
    }
    if (kind == Kind.INITRAMFS) {
      String dracut = fileSystem.isFile("/usr/bin/dracut") ? "/usr/bin/dracut" : "/usr/sbin/dracut";
      return new Step(kind, dracut, List.of("dracut", "-f", "--regenerate-all"), List.of("/boot"));
    }
    Optional<String> config = grubConfig();
    if (config.isEmpty()) {
      return "the root has no grub.cfg in /boot/grub2 or the EFI system partition; if the target boots it with GRUB,"
          + " run `grub2-mkconfig -o` its grub.cfg there";
    }
    return new Step(kind, "/usr/sbin/grub2-mkconfig", List.of("grub2-mkconfig", "-o", config.get()), List.of("/boot"));
  }

  /**
   * The grub.cfg grub2-mkconfig should write: /boot/grub2/grub.cfg, else an EFI one that is not the
   * stub RHEL 9 and Fedora keep there (it only loads /boot/grub2/grub.cfg; overwriting it breaks
   * their boot).
   */
  Optional<String> grubConfig() {
    if (fileSystem.isFile("/boot/grub2/grub.cfg")) {
      return Optional.of("/boot/grub2/grub.cfg");
    }
    for (String candidate : fileSystem.glob("/boot/efi/EFI/*/grub.cfg")) {
      String text = fileSystem.readText(candidate).orElse("");
      boolean stub = text.lines().anyMatch(l -> l.trim().startsWith("configfile")) && text.lines().count() < 10;
      if (!stub) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private String blocker(Step step, boolean regenerate, boolean dryRun) {
    if (!regenerate) {
      return "regeneration was not asked for";
    }
    if (dryRun) {
      return "dry run: would run `" + step.text() + "` in a chroot of the root";
    }
    if (!HostCommands.runningAsRoot()) {
      return "not running as root: a chroot needs root";
    }
    if (guestArchitecture == null || guestArchitecture.equals(ArchitectureProbe.UNKNOWN)) {
      return "the guest's architecture is unknown, so its binaries may not run on this host";
    }
    if (!guestArchitecture.equals(hostArchitecture)) {
      return "the guest is built for " + guestArchitecture + ", this host is " + hostArchitecture
          + ": its tools cannot run here";
    }
    if (!fileSystem.isFile(step.tool())) {
      return "the guest has no " + step.tool();
    }
    Optional<String> interpreter = interpreter(step.tool());
    if (interpreter.isPresent() && !fileSystem.isFile(interpreter.get())) {
      return "the guest has no " + interpreter.get() + ", the interpreter of " + step.tool();
    }
    if (!live && separateBootNotMounted()) {
      return "the root's fstab mounts a separate /boot, but nothing is mounted on " + fileSystem.root().resolve("boot")
          + ": the tool would write into the root's empty /boot";
    }
    if (!live) {
      String unusable = new GuestChroot(fileSystem.root(), false, timeLimit, Regeneration.MAX_OUTPUT).unusableBecause();
      if (unusable != null) {
        return unusable;
      }
    }
    return null;
  }

  /** Whether fstab names a /boot file system that is not mounted below the root. */
  private boolean separateBootNotMounted() {
    boolean separate = fileSystem.readText("/etc/fstab").orElse("").lines()
        .map(String::trim)
        .filter(l -> !l.startsWith("#"))
        .map(l -> l.split("\\s+"))
        .anyMatch(f -> f.length >= 3 && f[1].replaceAll("/+$", "").equals("/boot") && !f[2].equals("none"));
    if (!separate) {
      return false;
    }
    try {
      Path boot = fileSystem.root().resolve("boot");
      if (!Files.isDirectory(boot, LinkOption.NOFOLLOW_LINKS)) {
        return true;
      }
      return Files.getAttribute(boot, "unix:dev", LinkOption.NOFOLLOW_LINKS)
          .equals(Files.getAttribute(fileSystem.root(), "unix:dev"));
    } catch (IOException | UnsupportedOperationException e) {
      return true;
    }
  }

  /** The {@code #!} interpreter of a script, if it is one. */
  private Optional<String> interpreter(String tool) {
    byte[] head = fileSystem.readHead(tool, 128).orElse(new byte[0]);
    String text = new String(head, StandardCharsets.ISO_8859_1);
    if (!text.startsWith("#!")) {
      return Optional.empty();
    }
    String line = text.substring(2).lines().findFirst().orElse("").trim();
    String path = line.split("\\s+")[0];
    return path.startsWith("/") ? Optional.of(path) : Optional.empty();
  }

  private Regeneration run(Step step, String why, Sink sink) {
    String reason = why + ": " + step.kind().description + " configuration changed";
    Map<String, FileState> before = snapshot(step.watched(), Map.of());
    GuestChroot.Result result;
    try {
      result = new GuestChroot(fileSystem.root(), live, timeLimit, Regeneration.MAX_OUTPUT).run(step.command());
    } catch (FerryException e) {
      sink.note(step.kind().description + " not regenerated (" + e.getMessage() + "): run `" + step.text()
          + "` in the target");
      return new Regeneration(step.text(), reason, -1, 0, e.getMessage());
    }
    Map<String, FileState> after = snapshot(step.watched(), before);
    Set<String> paths = new TreeSet<>(before.keySet());
    paths.addAll(after.keySet());
    String changeReason = "regenerated by `" + step.text() + "` (" + reason + ")";
    for (String path : paths) {
      String hashBefore = before.containsKey(path) ? before.get(path).sha256() : null;
      String hashAfter = after.containsKey(path) ? after.get(path).sha256() : null;
      if (!Objects.equals(hashBefore, hashAfter)) {
        sink.change(new Change(path, ChangeAction.REGENERATED, hashBefore, hashAfter, null, null, null, null, changeReason));
      }
    }
    if (result.exitStatus() != 0) {
      sink.note("`" + step.text() + "` failed in the root (" + (result.exitStatus() < 0 ? "time limit"
          : "exit " + result.exitStatus()) + "): the " + step.kind().description
          + " may be stale; see the regeneration's output and run it in the target");
    }
    return new Regeneration(step.text(), reason, result.exitStatus(), Math.round(result.seconds() * 10) / 10.0,
        result.output());
  }

  /** A regular file's identity and content hash. */
  private record FileState(long size, long modified, Object key, String sha256) {}

  /** The regular files below {@code directories}; unchanged files reuse {@code previous}'s hashes. */
  private Map<String, FileState> snapshot(List<String> directories, Map<String, FileState> previous) {
    Map<String, FileState> states = new TreeMap<>();
    for (String directory : directories) {
      Path host = fileSystem.resolveNoFollow(directory);
      if (!fileSystem.inRoot(host).equals(directory) || !Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      try (Stream<Path> walk = Files.walk(host)) {
        for (Path file : walk.toList()) {
          BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          if (!attributes.isRegularFile()) {
            continue;
          }
          String path = fileSystem.inRoot(file);
          FileState old = previous.get(path);
          long modified = attributes.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS);
          if (old != null && old.size() == attributes.size() && old.modified() == modified
              && Objects.equals(old.key(), attributes.fileKey())) {
            states.put(path, old);
          } else {
            states.put(path, new FileState(attributes.size(), modified, attributes.fileKey(), ChangeSet.sha256(file)));
          }
        }
      } catch (IOException e) {
        throw new FerryException(io.ferry.standardization.ErrorCode.IO_ERROR,
            "cannot list " + directory + " in the root: " + e, e);
      }
    }
    return states;
  }
}
