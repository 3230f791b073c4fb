package io.ferry.plugin.local.internal;

import io.ferry.plugin.local.internal.JobRegistry.Kind;
import io.ferry.plugin.local.internal.JobRegistry.Resource;
import io.ferry.standardization.spi.CleanupReport;
import io.ferry.standardization.spi.JobTag;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Deletes everything a job created in a local account. It trusts nothing but what it finds: the
 * registry's records, image sidecars carrying the job's tag, files named with the job's slug in
 * {@code uploads/}, {@code volumes/} and {@code helpers/}, and helper processes carrying the
 * job's slug on their command line. Helpers go first (they may hold volumes), images last.
 */
final class JobCleanup {

  private final AccountLayout layout;
  private final JobRegistry registry;
  private final HelperProcesses helpers;
  private final ImageCatalog catalog;
  private final QemuBoot boots;

  JobCleanup(AccountLayout layout, JobRegistry registry, HelperProcesses helpers, ImageCatalog catalog, QemuBoot boots) {
    this.layout = layout;
    this.registry = registry;
    this.helpers = helpers;
    this.catalog = catalog;
    this.boots = boots;
  }

  CleanupReport deleteTagged(JobTag tag, List<String> keepImageIds) {
    String jobId = tag.jobId();
    Set<String> keep = Set.copyOf(keepImageIds == null ? List.of() : keepImageIds);
    List<String> deleted = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    List<Resource> gone = new ArrayList<>();
    for (Resource resource : find(jobId)) {
      String label = resource.kind().name().toLowerCase(Locale.ROOT) + ":" + resource.id();
      if (resource.kind() == Kind.IMAGE && keep.contains(resource.id())) {
        continue;
      }
      try {
        if (delete(resource)) {
          deleted.add(label);
        }
        gone.add(resource);
      } catch (RuntimeException | IOException e) {
        failed.add(label + ": " + e.getMessage());
      }
    }
    forget(jobId, gone);
    return new CleanupReport(deleted, failed);
  }

  /** Removes the records of {@code gone}, keeping whatever was recorded meanwhile. */
  private void forget(String jobId, List<Resource> gone) {
    registry.update(
        jobs -> {
          List<Resource> remaining = new ArrayList<>(jobs.getOrDefault(jobId, List.of()));
          remaining.removeIf(record -> gone.stream().anyMatch(resource -> resource.kind() == record.kind() && resource.id().equals(record.id())));
          if (remaining.isEmpty()) {
            jobs.remove(jobId);
          } else {
            jobs.put(jobId, remaining);
          }
          return null;
        });
  }

  /** Everything of the job that exists or is recorded, helpers first and images last. */
  List<Resource> find(String jobId) {
    String slug = AccountLayout.jobSlug(jobId);
    Map<String, Resource> found = new LinkedHashMap<>();
    for (Resource resource : registry.resources(jobId)) {
      found.put(resource.kind() + ":" + resource.id(), resource);
    }
    for (ProcessHandle process : helpers.find("helper-" + slug + "-")) {
      String id = HelperProcesses.helperId(process);
      found.putIfAbsent(Kind.HELPER + ":" + id, Resource.of(Kind.HELPER, id));
    }
    for (String log : fileNames(layout.helpers(), "helper-" + slug + "-")) {
      String id = log.endsWith(".log") || log.endsWith(".tmp") ? log.substring(0, log.length() - 4) : log;
      found.putIfAbsent(Kind.HELPER + ":" + id, Resource.of(Kind.HELPER, id));
    }
    for (ProcessHandle process : boots.find("boot-" + slug + "-")) {
      String id = bootId(process);
      if (id != null) {
        found.putIfAbsent(Kind.BOOT + ":" + id, Resource.of(Kind.BOOT, id));
      }
    }
    for (String id : boots.files("boot-" + slug + "-")) {
      found.putIfAbsent(Kind.BOOT + ":" + id, Resource.of(Kind.BOOT, id));
    }
    for (String upload : fileNames(layout.uploads(), slug + "-")) {
      String id = stripSuffix(upload, AccountLayout.PARTIAL_SUFFIX);
      found.putIfAbsent(Kind.UPLOAD + ":" + id, Resource.of(Kind.UPLOAD, id));
    }
    for (String volume : fileNames(layout.volumes(), "vol-" + slug + "-")) {
      found.putIfAbsent(Kind.VOLUME + ":" + volume, Resource.of(Kind.VOLUME, volume));
    }
    for (String sidecar : fileNames(layout.images(), "")) {
      if (!sidecar.endsWith(AccountLayout.SIDECAR_SUFFIX)) {
        continue;
      }
      String imageId = stripSuffix(sidecar, AccountLayout.SIDECAR_SUFFIX);
      ImageSidecar metadata = catalog.readSidecar(imageId);
      if (metadata != null && jobId.equals(metadata.tags().get(io.ferry.standardization.spi.JobTag.KEY))) {
        found.putIfAbsent(Kind.IMAGE + ":" + imageId, Resource.of(Kind.IMAGE, imageId));
      }
    }
    List<Resource> ordered = new ArrayList<>(found.values());
    ordered.sort(Comparator.comparing(resource -> order(resource.kind())));
    return ordered;
  }

  /** Deletes one resource; whether anything existed. */
  private boolean delete(Resource resource) throws IOException {
    return switch (resource.kind()) {
      case HELPER -> deleteHelper(resource);
      case BOOT -> boots.delete(resource.id());
      case UPLOAD -> deleteWithPartial(layout.upload(resource.id()));
      case VOLUME -> deleteVolume(layout.volume(resource.id()));
      case IMAGE -> deleteWithPartial(layout.image(resource.id())) | Files.deleteIfExists(layout.sidecar(resource.id()));
    };
  }

  private boolean deleteHelper(Resource resource) throws IOException {
    boolean existed = false;
    for (ProcessHandle process : helpers.find(resource.id())) {
      if (resource.id().equals(HelperProcesses.helperId(process))) {
        HelperProcesses.kill(process);
        existed = true;
      }
    }
    if (resource.pid() != null) {
      ProcessHandle process = ProcessHandle.of(resource.pid()).orElse(null);
      if (process != null
          && process.isAlive()
          && resource.processStart() != null
          && resource.processStart().equals(process.info().startInstant().orElse(null))) {
        HelperProcesses.kill(process);
        existed = true;
      }
    }
    existed |= helpers.removeScratch(resource.id());
    existed |= Files.deleteIfExists(layout.helperLog(resource.id()));
    return existed;
  }

  private static boolean deleteVolume(Path file) throws IOException {
    boolean released = !LoopDevices.release(file).isEmpty();
    return Files.deleteIfExists(file) | released;
  }

  private static boolean deleteWithPartial(Path file) throws IOException {
    boolean partial = Files.deleteIfExists(file.resolveSibling(file.getFileName() + AccountLayout.PARTIAL_SUFFIX));
    return Files.deleteIfExists(file) | partial;
  }

  private static List<String> fileNames(Path folder, String prefix) {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (name.startsWith(prefix)) {
          names.add(name);
        }
      }
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw IoErrors.translate("listing " + folder, e);
    }
    return names;
  }

  /** The boot id a QEMU process of a boot check carries after {@code -name}, or null. */
  private static String bootId(ProcessHandle process) {
    String[] arguments = process.info().arguments().orElse(new String[0]);
    for (int i = 0; i + 1 < arguments.length; i++) {
      if (arguments[i].equals("-name")) {
        return arguments[i + 1];
      }
    }
    return null;
  }

  private static String stripSuffix(String name, String suffix) {
    return name.endsWith(suffix) ? name.substring(0, name.length() - suffix.length()) : name;
  }

  private static int order(Kind kind) {
    return switch (kind) {
      case HELPER, BOOT -> 0;
      case UPLOAD -> 1;
      case VOLUME -> 2;
      case IMAGE -> 3;
    };
  }
}
