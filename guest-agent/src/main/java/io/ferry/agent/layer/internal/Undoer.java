package io.ferry.agent.layer.internal;

import io.ferry.agent.layer.Change;
import io.ferry.agent.layer.ChangeAction;
import io.ferry.agent.layer.ChangeReport;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Reverts one recorded run from its report and backup area. */
public final class Undoer {

  private final RootFileSystem fileSystem;
  private final boolean dryRun;
  private final List<Change> changes = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  public Undoer(RootFileSystem fileSystem, boolean dryRun) {
    this.fileSystem = fileSystem;
    this.dryRun = dryRun;
  }

  public List<Change> changes() {
    return changes;
  }

  public List<String> notes() {
    return notes;
  }

  /** Reverts {@code report}'s changes, newest first, then deletes its backup area. */
  public void undo(ChangeReport report) {
    String area = report.backupArea();
    List<Change> recorded = new ArrayList<>(report.changes());
    java.util.Collections.reverse(recorded);
    for (Change change : recorded) {
      revert(change, area);
    }
    if (!dryRun && area != null) {
      deleteTree(fileSystem.resolveNoFollow(area));
      for (String parent : List.of(ChangeSet.BACKUP_ROOT, "/var/lib/ferry")) {
        Path host = fileSystem.resolveNoFollow(parent);
        if (fileSystem.list(parent).isEmpty() && Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
          delete(host);
        }
      }
    }
  }

  private void revert(Change change, String area) {
    Path host = fileSystem.resolveNoFollow(change.path());
    boolean exists = Files.exists(host, LinkOption.NOFOLLOW_LINKS);
    String why = "undo " + change.action().name().toLowerCase() + " of " + change.path();
    switch (change.action()) {
      case CREATED -> {
        if (exists && Files.isRegularFile(host, LinkOption.NOFOLLOW_LINKS)
            && ChangeSet.sha256(host).equals(change.sha256After())) {
          record(change.path(), ChangeAction.REMOVED, change.sha256After(), null, null, null, why);
          delete(host);
        } else if (exists) {
          notes.add("not removed, changed since the run: " + change.path());
        }
      }
      case MODIFIED, REMOVED -> {
        if (change.backup() == null) {
          notes.add("no backup of " + change.path());
          return;
        }
        if (change.action() == ChangeAction.REMOVED && exists) {
          notes.add("not restored, something exists there now: " + change.path());
          return;
        }
        if (change.action() == ChangeAction.MODIFIED && exists
            && !(Files.isRegularFile(host, LinkOption.NOFOLLOW_LINKS)
                && ChangeSet.sha256(host).equals(change.sha256After()))) {
          notes.add("not restored, changed since the run: " + change.path());
          return;
        }
        Path backup = fileSystem.resolveNoFollow(area + "/" + change.backup());
        record(change.path(), change.action() == ChangeAction.REMOVED ? ChangeAction.CREATED : ChangeAction.MODIFIED,
            exists ? change.sha256After() : null, change.sha256Before(), null, null, why);
        if (!dryRun) {
          try {
            Files.createDirectories(host.getParent());
            Files.copy(backup, host, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES,
                LinkOption.NOFOLLOW_LINKS);
          } catch (IOException e) {
            throw new FerryException(ErrorCode.IO_ERROR, "cannot restore " + change.path() + ": " + e, e);
          }
        }
      }
      case SECRET_DELETED -> notes.add("secret not restorable (never copied): " + change.path());
      case SYMLINK_CREATED -> {
        if (fileSystem.linkTarget(change.path()).map(t -> t.equals(change.linkTargetAfter())).orElse(false)) {
          record(change.path(), ChangeAction.SYMLINK_REMOVED, null, null, change.linkTargetAfter(), null, why);
          delete(host);
        }
      }
      case SYMLINK_REMOVED -> {
        if (!exists) {
          record(change.path(), ChangeAction.SYMLINK_CREATED, null, null, null, change.linkTargetBefore(), why);
          if (!dryRun) {
            try {
              Files.createDirectories(host.getParent());
              Files.createSymbolicLink(host, Path.of(change.linkTargetBefore()));
            } catch (IOException e) {
              throw new FerryException(ErrorCode.IO_ERROR, "cannot recreate link " + change.path() + ": " + e, e);
            }
          }
        }
      }
      case DIRECTORY_REMOVED -> {
        if (!exists) {
          record(change.path(), ChangeAction.DIRECTORY_CREATED, null, null, null, null, why);
          if (!dryRun) {
            try {
              Files.createDirectories(host);
              if (change.permissions() != null) {
                Files.setPosixFilePermissions(host, java.nio.file.attribute.PosixFilePermissions.fromString(change.permissions()));
              }
            } catch (IOException e) {
              throw new FerryException(ErrorCode.IO_ERROR, "cannot recreate " + change.path() + ": " + e, e);
            }
          }
        }
      }
      case DIRECTORY_CREATED -> {
        if (exists && fileSystem.list(change.path()).isEmpty()) {
          record(change.path(), ChangeAction.REMOVED, null, null, null, null, why);
          delete(host);
        }
      }
      case REGENERATED -> {
        // Rebuilt by a guest tool and not backed up: the caller regenerates again once the
        // configuration is restored.
      }
      default -> throw new IllegalStateException(change.action().name());
    }
  }

  private void record(String path, ChangeAction action, String before, String after, String linkBefore,
      String linkAfter, String reason) {
    changes.add(new Change(path, action, before, after, linkBefore, linkAfter, null, null, reason));
  }

  private void delete(Path host) {
    if (dryRun) {
      return;
    }
    try {
      Files.deleteIfExists(host);
    } catch (IOException e) {
      throw new FerryException(ErrorCode.IO_ERROR, "cannot remove " + host + ": " + e, e);
    }
  }

  private void deleteTree(Path host) {
    if (!Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(host)) {
      for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new FerryException(ErrorCode.IO_ERROR, "cannot remove backup area " + host + ": " + e, e);
    }
  }
}
