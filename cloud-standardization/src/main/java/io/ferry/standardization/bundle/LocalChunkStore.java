package io.ferry.standardization.bundle;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.bundle.internal.Names;
import io.ferry.standardization.image.internal.FileWrites;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A {@link ChunkStore} in a local directory, the default store.
 *
 * <pre>
 * root/chunks/ab/cdef...        chunk "abcdef..." (the first two hex digits name the folder)
 * root/manifests/ID.json        manifest of bundle ID
 * root/journals/ID/000000000001.json   journal segments of unfinished bundle ID
 * root/tmp/                     files being written (same file system, renamed when complete)
 * </pre>
 *
 * <p>Every write goes to a uniquely named file in {@code tmp/}, is forced to disk, then renamed
 * atomically over its final name, and the folder is forced too. A crash therefore leaves at worst
 * a stray temporary file (removed by {@link #deleteStaleTemporaryFiles(Duration)}), never a half
 * chunk under a chunk's name. Two processes writing the same chunk both rename identical content.
 * Last-modified times come from the injected {@link Clock}.
 */
public final class LocalChunkStore implements ChunkStore {

  private final Path root;
  private final Path chunks;
  private final Path manifests;
  private final Path journals;
  private final Path temporary;
  private final Clock clock;

  /** Opens (creating if needed) a store in {@code root} whose times come from the system clock. */
  public LocalChunkStore(Path root) throws IOException {
    this(root, Clock.systemUTC());
  }

  /** Opens (creating if needed) a store in {@code root} whose times come from {@code clock}. */
  public LocalChunkStore(Path root, Clock clock) throws IOException {
    this.root = root.toAbsolutePath();
    this.clock = clock;
    this.chunks = Files.createDirectories(this.root.resolve("chunks"));
    this.manifests = Files.createDirectories(this.root.resolve("manifests"));
    this.journals = Files.createDirectories(this.root.resolve("journals"));
    this.temporary = Files.createDirectories(this.root.resolve("tmp"));
  }

  /** The store's folder. */
  public Path root() {
    return root;
  }

  /** The file that holds chunk {@code chunkId} (whether or not it exists). */
  public Path chunkPath(String chunkId) {
    Names.checkChunkId(chunkId);
    return chunks.resolve(chunkId.substring(0, 2)).resolve(chunkId.substring(2));
  }

  @Override
  public void putChunk(String chunkId, byte[] compressed, int offset, int length)
      throws IOException {
    Path target = chunkPath(chunkId);
    Files.createDirectories(target.getParent());
    writeAtomically(target, ByteBuffer.wrap(compressed, offset, length));
  }

  @Override
  public byte[] getChunk(String chunkId) throws IOException {
    try {
      return Files.readAllBytes(chunkPath(chunkId));
    } catch (NoSuchFileException missing) {
      throw new FerryException(ErrorCode.NOT_FOUND, "chunk " + chunkId + " is not in " + describe());
    }
  }

  @Override
  public Optional<StoredObject> statChunk(String chunkId) throws IOException {
    return stat(chunkId, chunkPath(chunkId));
  }

  @Override
  public Optional<StoredObject> touchChunk(String chunkId) throws IOException {
    Path path = chunkPath(chunkId);
    try {
      Files.setLastModifiedTime(path, FileTime.from(clock.instant()));
    } catch (NoSuchFileException missing) {
      return Optional.empty();
    }
    return stat(chunkId, path);
  }

  @Override
  public boolean deleteChunk(String chunkId) throws IOException {
    return Files.deleteIfExists(chunkPath(chunkId));
  }

  @Override
  public void listChunks(Consumer<StoredObject> consumer) throws IOException {
    try (DirectoryStream<Path> folders = Files.newDirectoryStream(chunks)) {
      for (Path folder : folders) {
        String prefix = folder.getFileName().toString();
        if (prefix.length() != 2 || !Files.isDirectory(folder)) {
          continue;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
          for (Path file : files) {
            String chunkId = prefix + file.getFileName();
            if (Names.isChunkId(chunkId)) {
              stat(chunkId, file).ifPresent(consumer);
            }
          }
        }
      }
    }
  }

  @Override
  public void putManifest(String bundleId, byte[] manifestJson) throws IOException {
    writeAtomically(manifestPath(bundleId), ByteBuffer.wrap(manifestJson));
  }

  @Override
  public Optional<byte[]> getManifest(String bundleId) throws IOException {
    try {
      return Optional.of(Files.readAllBytes(manifestPath(bundleId)));
    } catch (NoSuchFileException missing) {
      return Optional.empty();
    }
  }

  @Override
  public List<String> listManifests() throws IOException {
    try (Stream<Path> files = Files.list(manifests)) {
      return files
          .map(file -> file.getFileName().toString())
          .filter(name -> name.endsWith(".json"))
          .map(name -> name.substring(0, name.length() - ".json".length()))
          .filter(Names::isBundleId)
          .sorted()
          .toList();
    }
  }

  @Override
  public boolean deleteManifest(String bundleId) throws IOException {
    return Files.deleteIfExists(manifestPath(bundleId));
  }

  @Override
  public void putJournalSegment(String bundleId, long sequence, byte[] segmentJson)
      throws IOException {
    Path folder = Files.createDirectories(journals.resolve(Names.checkBundleId(bundleId)));
    writeAtomically(folder.resolve(String.format("%012d.json", sequence)), ByteBuffer.wrap(segmentJson));
  }

  @Override
  public List<byte[]> readJournal(String bundleId) throws IOException {
    Path folder = journals.resolve(Names.checkBundleId(bundleId));
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    List<Path> segments;
    try (Stream<Path> files = Files.list(folder)) {
      segments = files.filter(file -> file.getFileName().toString().endsWith(".json")).sorted().toList();
    }
    List<byte[]> contents = new ArrayList<>();
    for (Path segment : segments) {
      try {
        contents.add(Files.readAllBytes(segment));
      } catch (NoSuchFileException deletedMeanwhile) {
        // the bundle finished and removed its journal while we were reading
      }
    }
    return contents;
  }

  @Override
  public List<String> listJournals() throws IOException {
    try (Stream<Path> folders = Files.list(journals)) {
      return folders
          .filter(Files::isDirectory)
          .map(folder -> folder.getFileName().toString())
          .filter(Names::isBundleId)
          .sorted()
          .toList();
    }
  }

  @Override
  public void deleteJournal(String bundleId) throws IOException {
    Path folder = journals.resolve(Names.checkBundleId(bundleId));
    if (!Files.isDirectory(folder)) {
      return;
    }
    try (Stream<Path> files = Files.list(folder)) {
      for (Path file : files.toList()) {
        Files.deleteIfExists(file);
      }
    }
    Files.deleteIfExists(folder);
  }

  /**
   * Removes temporary files older than {@code age} (left behind by writers that crashed) and
   * returns how many were removed.
   */
  public int deleteStaleTemporaryFiles(Duration age) throws IOException {
    Instant cutoff = clock.instant().minus(age);
    int removed = 0;
    try (Stream<Path> files = Files.list(temporary)) {
      for (Path file : files.toList()) {
        try {
          if (Files.getLastModifiedTime(file).toInstant().isBefore(cutoff)
              && Files.deleteIfExists(file)) {
            removed++;
          }
        } catch (NoSuchFileException renamedMeanwhile) {
          // a writer finished it
        }
      }
    }
    return removed;
  }

  @Override
  public String describe() {
    return "local store " + root;
  }

  private Path manifestPath(String bundleId) {
    return manifests.resolve(Names.checkBundleId(bundleId) + ".json");
  }

  private Optional<StoredObject> stat(String chunkId, Path path) throws IOException {
    try {
      BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
      return Optional.of(
          new StoredObject(chunkId, attributes.size(), attributes.lastModifiedTime().toInstant()));
    } catch (NoSuchFileException missing) {
      return Optional.empty();
    }
  }

  private void writeAtomically(Path target, ByteBuffer content) throws IOException {
    Path partial = temporary.resolve(target.getFileName() + "." + UUID.randomUUID() + ".partial");
    try {
      try (FileChannel channel =
          FileChannel.open(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        FileWrites.writeFully(channel, content);
        channel.force(true);
      }
      Files.setLastModifiedTime(partial, FileTime.from(clock.instant()));
      try {
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException impossible) {
        throw new FerryException(
            ErrorCode.HOST_OPERATION_FAILED,
            "the file system of " + root + " cannot rename atomically", impossible);
      }
      forceFolder(target.getParent());
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  private static void forceFolder(Path folder) {
    try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException notSupported) {
      // some file systems cannot force folders; the rename itself is still atomic
    }
  }
}
