package io.ferry.standardization.bundle;

import java.time.Instant;
import java.util.Objects;

/**
 * An object in a {@link ChunkStore}: a chunk (named by its id) with its stored size and the time
 * it was last written or touched, which garbage collection compares with its grace period.
 */
public record StoredObject(String id, long size, Instant lastModified) {

  public StoredObject {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(lastModified, "lastModified");
  }
}
