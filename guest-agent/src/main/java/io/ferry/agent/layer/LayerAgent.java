package io.ferry.agent.layer;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ferry.agent.layer.internal.ChangeSet;
import io.ferry.agent.layer.internal.Injector;
import io.ferry.agent.layer.internal.Regenerator;
import io.ferry.agent.layer.internal.RootFileSystem;
import io.ferry.agent.layer.internal.Stripper;
import io.ferry.agent.layer.internal.SystemDetector;
import io.ferry.agent.layer.internal.Undoer;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.layer.CloudLayer;
import io.ferry.standardization.layer.CloudLayerCatalogue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Detects, strips, injects and undoes cloud layers on an operating system root (the live {@code
 * /}, or the mount point of an image's root file system). Every path is resolved inside the root.
 */
public final class LayerAgent {

  private static final DateTimeFormatter RUN_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final CloudLayerCatalogue catalogue;
  private final Clock clock;

  public LayerAgent(CloudLayerCatalogue catalogue, Clock clock) {
    this.catalogue = catalogue;
    this.clock = clock;
  }

  /** The JSON mapper used for reports (indented). */
  public static ObjectMapper json() {
    return JSON;
  }

  /** The catalogue this agent works with. */
  public CloudLayerCatalogue catalogue() {
    return catalogue;
  }

  /** What the root holds; never refuses. */
  public SystemDescription detect(Path root, boolean live) {
    return new SystemDetector(new RootFileSystem(root), catalogue, live).detect();
  }

  /** What the root holds, with the caller's notes (offline mode: what it mounted) first. */
  public SystemDescription detect(Path root, AgentOptions options) {
    SystemDescription d = detect(root, options.live());
    List<String> notes = new ArrayList<>(options.notes());
    notes.addAll(d.notes());
    return new SystemDescription(d.os(), d.packageManager(), d.initSystem(), d.bootMode(), d.architecture(),
        d.kernels(), d.cloudInit(), d.agents(), d.layers(), notes);
  }

  /**
   * Removes {@code source}'s layer and generalizes the system.
   *
   * @throws FerryException OS_UNSUPPORTED, saying what was detected, for an OS the agent does
   *     not know; NOT_FOUND for an unknown cloud
   */
  public ChangeReport strip(Path root, String source, AgentOptions options) {
    CloudLayer layer = catalogue.get(source);
    return run(root, "strip", layer, options, (fileSystem, detector, description, changes) ->
        new Stripper(fileSystem, catalogue, detector, description.os().family(), options).strip(layer, changes));
  }

  /**
   * Adds {@code target}'s layer.
   *
   * @throws FerryException OS_UNSUPPORTED, saying what was detected, for an OS the agent does
   *     not know; NOT_FOUND for an unknown cloud
   */
  public ChangeReport inject(Path root, String target, AgentOptions options) {
    CloudLayer layer = catalogue.get(target);
    return run(root, "inject", layer, options, (fileSystem, detector, description, changes) ->
        new Injector(fileSystem, detector, description.os().family()).inject(layer, changes));
  }

  /**
   * Reverts a run: {@code runId}, or the latest run still in the backup area when null. Secrets
   * are not restored (they were never copied).
   */
  public ChangeReport undo(Path root, String runId, boolean dryRun) {
    return undo(root, runId, new AgentOptions(dryRun, false, Map.of(), Map.of()));
  }

  /**
   * Reverts a run as {@link #undo(Path, String, boolean)} does; when the restored configuration
   * is the initramfs's or GRUB's and {@code options} ask for it, regenerates them again.
   */
  public ChangeReport undo(Path root, String runId, AgentOptions options) {
    boolean dryRun = options.dryRun();
    RootFileSystem fileSystem = new RootFileSystem(root);
    List<String> runs = fileSystem.list(ChangeSet.BACKUP_ROOT);
    if (runs.isEmpty()) {
      throw new FerryException(ErrorCode.NOT_FOUND, "nothing to undo: no run in " + ChangeSet.BACKUP_ROOT);
    }
    String id = runId == null ? runs.get(runs.size() - 1) : runId;
    if (!runs.contains(id)) {
      throw new FerryException(ErrorCode.NOT_FOUND, "no run " + id + " in " + ChangeSet.BACKUP_ROOT + "; runs: " + runs);
    }
    ChangeReport recorded;
    try {
      recorded = JSON.readValue(
          Files.readAllBytes(fileSystem.resolve(ChangeSet.BACKUP_ROOT + "/" + id + "/report.json")),
          ChangeReport.class);
    } catch (IOException e) {
      throw new FerryException(ErrorCode.NOT_FOUND, "cannot read the report of run " + id + ": " + e.getMessage(), e);
    }
    Undoer undoer = new Undoer(fileSystem, dryRun);
    undoer.undo(recorded);
    List<Change> changes = new ArrayList<>(undoer.changes());
    List<String> notes = new ArrayList<>(options.notes());
    notes.addAll(undoer.notes());
    Set<Regenerator.Kind> kinds = Regenerator.needed(changes.stream().map(Change::path).toList());
    List<Regeneration> regenerations = List.of();
    if (!kinds.isEmpty()) {
      SystemDescription description = new SystemDetector(fileSystem, catalogue, options.live()).detect();
      regenerations = new Regenerator(fileSystem, description.os().family(), description.architecture(), options.live())
          .regenerate(kinds, options.regenerate(), dryRun, "undo " + id, new Regenerator.Sink() {
            @Override
            public void change(Change change) {
              changes.add(change);
            }

            @Override
            public void note(String note) {
              notes.add(note);
            }
          });
    }
    return new ChangeReport(
        "undo-" + id, "undo", id, dryRun, clock.instant().toString(), null, changes, null,
        0, ChangeReport.SECRET_POLICY, notes, regenerations);
  }

  private interface Work {
    void apply(RootFileSystem fileSystem, SystemDetector detector, SystemDescription description, ChangeSet changes);
  }

  private ChangeReport run(Path root, String operation, CloudLayer layer, AgentOptions options, Work work) {
    RootFileSystem fileSystem = new RootFileSystem(root);
    SystemDetector detector = new SystemDetector(fileSystem, catalogue, options.live());
    SystemDescription description = detector.detect();
    refuseUnknown(description, operation);
    String runId = newRunId(fileSystem, operation + "-" + layer.id());
    ChangeSet changes = new ChangeSet(fileSystem, runId, options.dryRun());
    work.apply(fileSystem, detector, description, changes);
    Set<Regenerator.Kind> kinds = Regenerator.needed(changes.changes().stream().map(Change::path).toList());
    List<Regeneration> regenerations = kinds.isEmpty() ? List.of()
        : new Regenerator(fileSystem, description.os().family(), description.architecture(), options.live())
            .regenerate(kinds, options.regenerate(), options.dryRun(), operation + " " + layer.id(),
                new Regenerator.Sink() {
                  @Override
                  public void change(Change change) {
                    changes.regenerated(change.path(), change.sha256Before(), change.sha256After(), change.reason());
                  }

                  @Override
                  public void note(String note) {
                    changes.note(note);
                  }
                });
    List<Change> recorded = changes.changes();
    int secrets = (int) recorded.stream().filter(c -> c.action() == ChangeAction.SECRET_DELETED).count();
    boolean keep = !options.dryRun() && !recorded.isEmpty();
    List<String> notes = new ArrayList<>(options.notes());
    notes.addAll(changes.notes());
    if (recorded.isEmpty()) {
      notes.add("nothing to change: the root already has the wanted state");
    }
    ChangeReport report =
        new ChangeReport(runId, operation, layer.id(), options.dryRun(), clock.instant().toString(),
            description, recorded, keep ? changes.backupArea() : null, secrets, ChangeReport.SECRET_POLICY, notes,
            regenerations);
    if (keep) {
      Path file = fileSystem.resolveNoFollow(changes.backupArea() + "/report.json");
      try {
        Files.createDirectories(file.getParent());
        Files.write(file, JSON.writeValueAsBytes(report));
      } catch (IOException e) {
        throw new FerryException(ErrorCode.IO_ERROR, "cannot write the run's report: " + e, e);
      }
    }
    return report;
  }

  private String newRunId(RootFileSystem fileSystem, String suffix) {
    int sequence = fileSystem.list(ChangeSet.BACKUP_ROOT).size() + 1;
    String base = RUN_TIME.format(clock.instant()) + "-" + String.format("%03d", sequence) + "-" + suffix;
    String id = base;
    for (int attempt = 2; Files.exists(fileSystem.resolveNoFollow(ChangeSet.BACKUP_ROOT + "/" + id),
        LinkOption.NOFOLLOW_LINKS); attempt++) {
      id = base + "-" + attempt;
    }
    return id;
  }

  private static void refuseUnknown(SystemDescription description, String operation) {
    SystemDescription.OperatingSystem os = description.os();
    if (!os.supported() || !description.initSystem().equals("systemd")) {
      throw new FerryException(
          ErrorCode.OS_UNSUPPORTED,
          "refusing to " + operation + " an operating system Ferry does not know: detected os-release ID="
              + os.id() + " ID_LIKE=" + os.idLike() + " family=" + os.family()
              + " version=" + os.versionId() + ", package manager=" + description.packageManager()
              + ", init system=" + description.initSystem()
              + " (supported: Debian and RHEL families with systemd)");
    }
  }
}
