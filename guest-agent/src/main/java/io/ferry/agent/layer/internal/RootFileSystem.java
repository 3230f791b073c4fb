package io.ferry.agent.layer.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A directory treated as the root of an operating system, like a chroot: every path is an
 * absolute path inside the root, resolved component by component; symbolic links in the tree are
 * followed relative to the root (an absolute target restarts at the root, {@code ..} never leaves
 * it), with a limit on the number of links. No path this class returns lies outside the root.
 */
public final class RootFileSystem {

  /** The most symbolic links followed while resolving one path (Linux uses 40). */
  public static final int MAX_SYMBOLIC_LINKS = 40;

  /** The largest file read into memory (configuration files are small). */
  public static final long MAX_READ_BYTES = 16L << 20;

  private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

  private final Path root;

  /** Confines access to {@code root}, which must be an existing directory. */
  public RootFileSystem(Path root) {
    try {
      this.root = root.toRealPath();
    } catch (IOException e) {
      throw new FerryException(ErrorCode.NOT_FOUND, "root directory not found: " + root, e);
    }
    if (!Files.isDirectory(this.root)) {
      throw new FerryException(ErrorCode.INVALID_REQUEST, "root is not a directory: " + root);
    }
  }

  /** The host path of the root. */
  public Path root() {
    return root;
  }

  /** The host path of {@code path}, following a symbolic link in the last component too. */
  public Path resolve(String path) {
    return resolve(path, true);
  }

  /** The host path of {@code path}; a symbolic link in the last component is not followed. */
  public Path resolveNoFollow(String path) {
    return resolve(path, false);
  }

  private Path resolve(String path, boolean followLast) {
    if (path.indexOf('\0') >= 0) {
      throw new FerryException(ErrorCode.INVALID_REQUEST, "path contains a NUL byte");
    }
    Deque<String> pending = new ArrayDeque<>(components(path));
    List<String> resolved = new ArrayList<>();
    int links = 0;
    while (!pending.isEmpty()) {
      String component = pending.pollFirst();
      if (component.equals("..")) {
        if (!resolved.isEmpty()) {
          resolved.remove(resolved.size() - 1);
        }
        continue;
      }
      Path candidate = join(resolved).resolve(component);
      boolean last = pending.isEmpty();
      if ((!last || followLast) && Files.isSymbolicLink(candidate)) {
        if (++links > MAX_SYMBOLIC_LINKS) {
          throw new FerryException(
              ErrorCode.INVALID_REQUEST,
              "too many levels of symbolic links (more than "
                  + MAX_SYMBOLIC_LINKS
                  + ") resolving "
                  + path
                  + " inside the root");
        }
        String target;
        try {
          target = Files.readSymbolicLink(candidate).toString();
        } catch (IOException e) {
          throw new FerryException(ErrorCode.IO_ERROR, "cannot read link " + candidate, e);
        }
        if (target.startsWith("/")) {
          resolved.clear();
        }
        List<String> targetComponents = components(target);
        for (int i = targetComponents.size() - 1; i >= 0; i--) {
          pending.addFirst(targetComponents.get(i));
        }
        continue;
      }
      resolved.add(component);
    }
    Path result = join(resolved);
    if (!result.normalize().startsWith(root)) {
      throw new FerryException(ErrorCode.INTERNAL, "resolved path left the root: " + path);
    }
    return result;
  }

  private Path join(List<String> components) {
    Path result = root;
    for (String component : components) {
      result = result.resolve(component);
    }
    return result;
  }

  private static List<String> components(String path) {
    List<String> result = new ArrayList<>();
    for (String part : path.split("/")) {
      if (!part.isEmpty() && !part.equals(".")) {
        result.add(part);
      }
    }
    return result;
  }

  /** The path inside the root ({@code /etc/fstab}) of a host path under the root. */
  public String inRoot(Path hostPath) {
    Path relative = root.relativize(hostPath);
    return "/" + relative.toString().replace('\\', '/');
  }

  /** Whether {@code path} exists (a dangling symbolic link counts as existing). */
  public boolean exists(String path) {
    return Files.exists(resolveNoFollow(path), NOFOLLOW);
  }

  /** Whether {@code path}, links followed inside the root, is a regular file. */
  public boolean isFile(String path) {
    return Files.isRegularFile(resolve(path), NOFOLLOW);
  }

  /** Whether {@code path}, links followed inside the root, is a directory. */
  public boolean isDirectory(String path) {
    return Files.isDirectory(resolve(path), NOFOLLOW);
  }

  /** Whether the last component of {@code path} is a symbolic link. */
  public boolean isSymbolicLink(String path) {
    return Files.isSymbolicLink(resolveNoFollow(path));
  }

  /** The target of the symbolic link {@code path}, if it is one. */
  public Optional<String> linkTarget(String path) {
    Path host = resolveNoFollow(path);
    if (!Files.isSymbolicLink(host)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.readSymbolicLink(host).toString());
    } catch (IOException e) {
      throw new FerryException(ErrorCode.IO_ERROR, "cannot read link " + path, e);
    }
  }

  /** The bytes of the regular file {@code path} (links followed inside the root), if it is one. */
  public Optional<byte[]> read(String path) {
    Path host = resolve(path);
    if (!Files.isRegularFile(host, NOFOLLOW)) {
      return Optional.empty();
    }
    try (InputStream in = Files.newInputStream(host, LinkOption.NOFOLLOW_LINKS)) {
      byte[] bytes = in.readNBytes((int) MAX_READ_BYTES + 1);
      if (bytes.length > MAX_READ_BYTES) {
        throw new FerryException(
            ErrorCode.INVALID_REQUEST, path + " is larger than " + MAX_READ_BYTES + " bytes");
      }
      return Optional.of(bytes);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new FerryException(ErrorCode.IO_ERROR, "cannot read " + path + ": " + e, e);
    }
  }

  /**
   * The first {@code count} bytes (or fewer, if the file is shorter) of the regular file {@code
   * path} (links followed inside the root), if it is one.
   */
  public Optional<byte[]> readHead(String path, int count) {
    Path host = resolve(path);
    if (!Files.isRegularFile(host, NOFOLLOW)) {
      return Optional.empty();
    }
    try (InputStream in = Files.newInputStream(host, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.of(in.readNBytes(count));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new FerryException(ErrorCode.IO_ERROR, "cannot read " + path + ": " + e, e);
    }
  }

  /** The text of the regular file {@code path}, if it is one. */
  public Optional<String> readText(String path) {
    return read(path).map(bytes -> new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
  }

  /** The names in directory {@code path} (links followed inside the root), sorted; empty if none. */
  public List<String> list(String path) {
    Path host = resolve(path);
    if (!Files.isDirectory(host, NOFOLLOW)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(host)) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new FerryException(ErrorCode.IO_ERROR, "cannot list " + path + ": " + e, e);
    }
  }

  /**
   * The existing paths matching {@code pattern}, an absolute path whose last component may hold
   * {@code *} and {@code ?} wildcards; sorted.
   */
  public List<String> glob(String pattern) {
    int slash = pattern.lastIndexOf('/');
    String directory = slash <= 0 ? "/" : pattern.substring(0, slash);
    String name = pattern.substring(slash + 1);
    if (!name.contains("*") && !name.contains("?")) {
      return exists(pattern) ? List.of(pattern) : List.of();
    }
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + name);
    List<String> result = new ArrayList<>();
    for (String entry : list(directory)) {
      if (matcher.matches(Path.of(entry))) {
        result.add(child(directory, entry));
      }
    }
    return result;
  }

  /** {@code directory + "/" + name} without a double slash. */
  public static String child(String directory, String name) {
    return directory.endsWith("/") ? directory + name : directory + "/" + name;
  }

  /** Every path below {@code directory} (not following links), depth first, files before dirs. */
  public List<String> walk(String directory) {
    Path host = resolve(directory);
    if (!Files.isDirectory(host, NOFOLLOW)) {
      return List.of();
    }
    List<String> result = new ArrayList<>();
    try (Stream<Path> entries = Files.walk(host)) {
      entries.filter(p -> !p.equals(host)).forEach(p -> result.add(inRoot(p)));
    } catch (IOException e) {
      throw new FerryException(ErrorCode.IO_ERROR, "cannot walk " + directory + ": " + e, e);
    }
    result.sort((a, b) -> b.compareTo(a));
    return result;
  }
}
