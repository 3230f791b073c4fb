package io.ferry.agent.layer.internal;

import io.ferry.agent.layer.Change;
import io.ferry.agent.layer.ChangeAction;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Makes changes inside a root and records each of them: hashes before and after, a copy of what
 * is removed or rewritten in the run's backup area (never for secrets). In a dry run it records
 * the same changes without touching anything. Every operation is a no-op when the tree already
 * has the wanted state, which makes strip and inject idempotent.
 */
public final class ChangeSet {

  /** Where backup areas live inside the root; the agent never strips or detects below it. */
  public static final String BACKUP_ROOT = "/var/lib/ferry/backup";

  private final RootFileSystem fileSystem;
  private final boolean dryRun;
  private final String runId;
  private final List<Change> changes = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private boolean backupUsed;

  public ChangeSet(RootFileSystem fileSystem, String runId, boolean dryRun) {
    this.fileSystem = fileSystem;
    this.runId = runId;
    this.dryRun = dryRun;
  }

  public RootFileSystem fileSystem() {
    return fileSystem;
  }

  public boolean dryRun() {
    return dryRun;
  }

  /** The backup area of this run inside the root. */
  public String backupArea() {
    return BACKUP_ROOT + "/" + runId;
  }

  public boolean backupUsed() {
    return backupUsed;
  }

  public List<Change> changes() {
    return List.copyOf(changes);
  }

  public List<String> notes() {
    return List.copyOf(notes);
  }

  /** Adds a remark to the report (something not changed, a follow-up). */
  public void note(String note) {
    if (!notes.contains(note)) {
      notes.add(note);
    }
  }

  /**
   * Removes {@code path} (a file or a symbolic link; a directory's files one by one) and keeps a
   * copy unless it is a secret. No-op when it does not exist.
   */
  public void remove(String path, boolean secret, String reason) {
    Path host = fileSystem.resolveNoFollow(path);
    String inRoot = fileSystem.inRoot(host);
    if (inRoot.startsWith(BACKUP_ROOT + "/") || inRoot.equals(BACKUP_ROOT)) {
      return;
    }
    if (!inRoot.equals(normalize(path))) {
      // A directory on the way is a symbolic link: removing what it points at could delete files
      // the layer never declared (a /var/lib/cloud -> / link would empty the whole root).
      if (Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
        note("left " + path + " alone: it lies behind a symbolic link (resolves to " + inRoot + ")");
      }
      return;
    }
    if (Files.isSymbolicLink(host)) {
      String target = fileSystem.linkTarget(inRoot).orElseThrow();
      record(new Change(inRoot, ChangeAction.SYMLINK_REMOVED, null, null, target, null, null, null, reason));
      delete(host);
      return;
    }
    if (Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
      for (String child : fileSystem.walk(inRoot)) {
        Path childHost = fileSystem.resolveNoFollow(child);
        if (Files.isDirectory(childHost, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        remove(child, secret, reason);
      }
      return;
    }
    if (!Files.isRegularFile(host, LinkOption.NOFOLLOW_LINKS)) {
      if (Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
        note("left " + inRoot + " alone: not a regular file, directory or link");
      }
      return;
    }
    String before = sha256(host);
    String permissions = permissions(host);
    if (secret) {
      record(new Change(inRoot, ChangeAction.SECRET_DELETED, before, null, null, null, null, null, reason));
    } else {
      String backup = backup(host, inRoot);
      record(new Change(inRoot, ChangeAction.REMOVED, before, null, null, null, backup, permissions, reason));
    }
    delete(host);
  }

  /**
   * Removes the empty directories below {@code directory} (deepest first), not {@code directory}
   * itself and not below a symbolic link.
   */
  public void removeEmptyDirectories(String directory, String reason) {
    Path top = fileSystem.resolveNoFollow(directory);
    if (!fileSystem.inRoot(top).equals(normalize(directory))
        || !Files.isDirectory(top, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    java.util.Set<String> removed = new java.util.HashSet<>();
    for (String path : fileSystem.walk(directory)) {
      Path host = fileSystem.resolveNoFollow(path);
      if (!Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      boolean empty = fileSystem.list(path).stream()
          .allMatch(name -> removed.contains(RootFileSystem.child(path, name)));
      if (!empty) {
        continue;
      }
      record(new Change(path, ChangeAction.DIRECTORY_REMOVED, null, null, null, null, null, permissions(host), reason));
      removed.add(path);
      if (!dryRun) {
        try {
          Files.delete(host);
        } catch (IOException e) {
          throw new FerryException(ErrorCode.IO_ERROR, "cannot remove directory " + path + ": " + e, e);
        }
      }
    }
  }

  /** Writes {@code content} to {@code path} (creating parents); no-op when it is already so. */
  public void write(String path, String content, String reason) {
    write(path, content.getBytes(StandardCharsets.UTF_8), reason);
  }

  /** Writes {@code content} to {@code path} (creating parents); no-op when it is already so. */
  public void write(String path, byte[] content, String reason) {
    Path host = fileSystem.resolve(path);
    String inRoot = fileSystem.inRoot(host);
    String after = sha256(content);
    if (Files.isRegularFile(host, LinkOption.NOFOLLOW_LINKS)) {
      String before = sha256(host);
      if (before.equals(after)) {
        return;
      }
      String backup = backup(host, inRoot);
      record(new Change(inRoot, ChangeAction.MODIFIED, before, after, null, null, backup, permissions(host), reason));
      overwrite(host, content, false);
      return;
    }
    if (Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST, "cannot write " + inRoot + ": it exists and is not a file");
    }
    createDirectories(parentOf(inRoot), reason);
    record(new Change(inRoot, ChangeAction.CREATED, null, after, null, null, null, null, reason));
    overwrite(host, content, true);
  }

  /** Makes {@code link} a symbolic link to {@code target}; no-op when it already is. */
  public void symlink(String link, String target, String reason) {
    Path host = fileSystem.resolveNoFollow(link);
    String inRoot = fileSystem.inRoot(host);
    Optional<String> existing = fileSystem.linkTarget(inRoot);
    if (existing.isPresent() && existing.get().equals(target)) {
      return;
    }
    if (Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
      remove(inRoot, false, reason);
    }
    createDirectories(parentOf(inRoot), reason);
    record(new Change(inRoot, ChangeAction.SYMLINK_CREATED, null, null, null, target, null, null, reason));
    if (!dryRun) {
      try {
        Files.createSymbolicLink(host, Path.of(target));
      } catch (IOException e) {
        throw new FerryException(ErrorCode.IO_ERROR, "cannot create link " + inRoot + ": " + e, e);
      }
    }
  }

  /** Creates {@code directory} and missing parents inside the root, recording each. */
  public void createDirectories(String directory, String reason) {
    List<String> missing = new ArrayList<>();
    String current = directory;
    while (!current.equals("/") && !fileSystem.exists(current)) {
      missing.add(0, current);
      current = parentOf(current);
    }
    for (String path : missing) {
      Path host = fileSystem.resolveNoFollow(path);
      record(new Change(fileSystem.inRoot(host), ChangeAction.DIRECTORY_CREATED, null, null, null, null, null, null, reason));
      if (!dryRun) {
        try {
          Files.createDirectory(host);
        } catch (IOException e) {
          throw new FerryException(ErrorCode.IO_ERROR, "cannot create " + path + ": " + e, e);
        }
      }
    }
  }

  /**
   * Records a file a guest tool rebuilt: {@code before} null when it created the file, {@code after}
   * null when it removed it. Nothing is backed up (undo runs the tool again).
   */
  public void regenerated(String path, String before, String after, String reason) {
    record(new Change(path, ChangeAction.REGENERATED, before, after, null, null, null, null, reason));
  }

  private void record(Change change) {
    changes.add(change);
  }

  private String backup(Path host, String inRoot) {
    String relative = "files" + inRoot;
    backupUsed = true;
    if (dryRun) {
      return relative;
    }
    Path target = fileSystem.resolveNoFollow(backupArea() + "/" + relative);
    try {
      Files.createDirectories(target.getParent());
      Files.copy(host, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new FerryException(ErrorCode.IO_ERROR, "cannot back up " + inRoot + ": " + e, e);
    }
    return relative;
  }

  private void delete(Path host) {
    if (dryRun) {
      return;
    }
    try {
      Files.deleteIfExists(host);
    } catch (IOException e) {
      throw new FerryException(ErrorCode.IO_ERROR, "cannot remove " + fileSystem.inRoot(host) + ": " + e, e);
    }
  }

  private void overwrite(Path host, byte[] content, boolean create) {
    if (dryRun) {
      return;
    }
    try (OutputStream out =
        Files.newOutputStream(
            host,
            create ? StandardOpenOption.CREATE_NEW : StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS)) {
      out.write(content);
    } catch (IOException e) {
      throw new FerryException(ErrorCode.IO_ERROR, "cannot write " + fileSystem.inRoot(host) + ": " + e, e);
    }
  }

  private static String normalize(String path) {
    String normalized = path.replaceAll("/+", "/");
    return normalized.length() > 1 && normalized.endsWith("/")
        ? normalized.substring(0, normalized.length() - 1)
        : normalized;
  }

  static String parentOf(String path) {
    int slash = path.lastIndexOf('/');
    return slash <= 0 ? "/" : path.substring(0, slash);
  }

  static String permissions(Path host) {
    try {
      return PosixFilePermissions.toString(
          Files.getPosixFilePermissions(host, LinkOption.NOFOLLOW_LINKS));
    } catch (IOException | UnsupportedOperationException e) {
      return null;
    }
  }

  /** The SHA-256 of a regular file, streamed. */
  public static String sha256(Path host) {
    try (var in = Files.newInputStream(host, LinkOption.NOFOLLOW_LINKS)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[65536];
      int read;
      while ((read = in.read(buffer)) > 0) {
        digest.update(buffer, 0, read);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new FerryException(ErrorCode.IO_ERROR, "cannot read " + host + ": " + e, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The SHA-256 of {@code bytes}. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
