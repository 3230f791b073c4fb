package io.ferry.plugin.local.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.plugin.local.internal.JobRegistry.Kind;
import io.ferry.plugin.local.internal.JobRegistry.Resource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job registry on a real file: concurrent updates lose nothing, the file stays valid JSON. */
class JobRegistryIT {

  @TempDir Path directory;

  @Test
  void concurrentRecordsFromSeveralInstancesAreAllKept() throws Exception {
    Path file = directory.resolve("ferry-registry.json");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int writer = 0; writer < 4; writer++) {
        JobRegistry registry = new JobRegistry(file);
        int id = writer;
        futures.add(
            pool.submit(
                () -> {
                  for (int index = 0; index < 25; index++) {
                    registry.record("job-" + (index % 3), Resource.of(Kind.VOLUME, "vol-" + id + "-" + index));
                  }
                }));
      }
      for (Future<?> future : futures) {
        future.get();
      }
    } finally {
      pool.shutdown();
    }

    JobRegistry reader = new JobRegistry(file);
    int total = reader.all().values().stream().mapToInt(List::size).sum();
    assertThat(total).isEqualTo(100);
    assertThat(reader.resources("job-0")).hasSize(36);
    assertThat(directory).isDirectoryNotContaining(path -> path.getFileName().toString().endsWith(".tmp"));
  }

  @Test
  void recordReplacesForgetRemovesAndEmptyJobsDisappear() throws Exception {
    JobRegistry registry = new JobRegistry(directory.resolve("ferry-registry.json"));
    registry.record("job-a", Resource.of(Kind.HELPER, "helper-1"));
    Instant started = Instant.parse("2026-01-01T00:00:00Z");
    registry.record("job-a", new Resource(Kind.HELPER, "helper-1", 4242L, started));
    registry.record("job-a", Resource.of(Kind.UPLOAD, "up-1"));

    assertThat(new JobRegistry(directory.resolve("ferry-registry.json")).resources("job-a"))
        .containsExactly(new Resource(Kind.HELPER, "helper-1", 4242L, started), Resource.of(Kind.UPLOAD, "up-1"));

    registry.forget("job-a", Kind.HELPER, "helper-1");
    registry.forget("job-a", Kind.UPLOAD, "up-1");
    assertThat(registry.all()).isEmpty();
    assertThat(Files.readString(directory.resolve("ferry-registry.json"))).contains("\"jobs\"");
    assertThat(registry.resources("job-missing")).isEmpty();
  }
}
