package io.ferry.standardization.spi;

import java.util.List;

/**
 * What a cleanup deleted and what it could not.
 *
 * @param deleted ids of the deleted resources, each prefixed by its kind ("volume:vol-1")
 * @param failed resources that remain, with the reason
 */
public record CleanupReport(List<String> deleted, List<String> failed) {

  public CleanupReport {
    deleted = List.copyOf(deleted);
    failed = List.copyOf(failed);
  }

  /** Whether nothing tagged with the job is left. */
  public boolean complete() {
    return failed.isEmpty();
  }
}
