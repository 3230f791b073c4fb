package io.ferry.plugin.local.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The small JSON file recording, per job, every resource the local cloud created for it, so that
 * {@code deleteTagged} finds them after a crash. A resource is recorded <em>before</em> it is
 * created, so a crash in between leaves at most a record of something that does not exist.
 * Updates are atomic (whole-file rename) and serialised across threads and processes (a lock
 * file next to the registry).
 */
public final class JobRegistry {

  /** What kind of resource a record names. */
  public enum Kind {
    VOLUME,
    UPLOAD,
    IMAGE,
    HELPER,
    /** A boot check: a QEMU process and its files in {@code boots/}. */
    BOOT
  }

  /**
   * One resource of a job.
   *
   * @param kind its kind
   * @param id its id (a file name, or a helper id)
   * @param pid a helper's process id, else null
   * @param processStart a helper's process start time (guards against reused pids), else null
   */
  public record Resource(Kind kind, String id, Long pid, Instant processStart) {

    public static Resource of(Kind kind, String id) {
      return new Resource(kind, id, null, null);
    }

    boolean sameAs(Resource other) {
      return kind == other.kind && id.equals(other.id);
    }
  }

  /** The file's content: resources by job id. */
  public record State(int version, Map<String, List<Resource>> jobs) {

    public State {
      TreeMap<String, List<Resource>> copy = new TreeMap<>();
      if (jobs != null) {
        jobs.forEach((job, resources) -> copy.put(job, List.copyOf(resources)));
      }
      jobs = copy;
    }

    static State empty() {
      return new State(1, Map.of());
    }
  }

  private static final ConcurrentHashMap<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

  private final Path file;
  private final Path lockFile;

  public JobRegistry(Path file) {
    this.file = file.toAbsolutePath().normalize();
    this.lockFile = this.file.resolveSibling(this.file.getFileName() + ".lock");
  }

  /** The resources recorded for {@code jobId}, possibly none. */
  public List<Resource> resources(String jobId) {
    return read().jobs().getOrDefault(jobId, List.of());
  }

  /** Every job with recorded resources. */
  public Map<String, List<Resource>> all() {
    return read().jobs();
  }

  /** Records {@code resource} for {@code jobId}, replacing a record of the same kind and id. */
  public void record(String jobId, Resource resource) {
    update(
        jobs -> {
          List<Resource> resources = new ArrayList<>(jobs.getOrDefault(jobId, List.of()));
          resources.removeIf(resource::sameAs);
          resources.add(resource);
          jobs.put(jobId, resources);
          return null;
        });
  }

  /** Forgets the record of one resource. */
  public void forget(String jobId, Kind kind, String id) {
    Resource probe = Resource.of(kind, id);
    update(
        jobs -> {
          List<Resource> resources = new ArrayList<>(jobs.getOrDefault(jobId, List.of()));
          resources.removeIf(probe::sameAs);
          putOrRemove(jobs, jobId, resources);
          return null;
        });
  }

  private static void putOrRemove(Map<String, List<Resource>> jobs, String jobId, List<Resource> resources) {
    if (resources.isEmpty()) {
      jobs.remove(jobId);
    } else {
      jobs.put(jobId, resources);
    }
  }

  /** Runs {@code change} on a mutable copy of the jobs under the lock and saves the result. */
  public <T> T update(Function<Map<String, List<Resource>>, T> change) {
    ReentrantLock lock = LOCKS.computeIfAbsent(file, key -> new ReentrantLock());
    lock.lock();
    try (FileChannel channel =
            FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock ignored = channel.lock()) {
      Map<String, List<Resource>> jobs = new TreeMap<>(read().jobs());
      T result = change.apply(jobs);
      JsonFiles.writeAtomically(file, new State(1, jobs));
      return result;
    } catch (IOException e) {
      throw IoErrors.translate("updating the job registry " + file, e);
    } finally {
      lock.unlock();
    }
  }

  private State read() {
    try {
      return JsonFiles.read(file, State.class);
    } catch (NoSuchFileException e) {
      return State.empty();
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new FerryException(
          ErrorCode.INTERNAL, "local cloud: the job registry " + file + " is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      if (!Files.exists(file)) {
        return State.empty();
      }
      throw IoErrors.translate("reading the job registry " + file, e);
    }
  }
}
