package io.ferry.standardization.spi;

import java.util.Objects;

/**
 * The tag every cloud resource a job creates carries, so that CLEANUP can find and delete all of
 * them, also after a crash.
 */
public record JobTag(String jobId) {

  /** The tag key used in clouds that have key/value tags. */
  public static final String KEY = "ferry:job-id";

  public JobTag {
    Objects.requireNonNull(jobId, "jobId");
    if (jobId.isBlank()) {
      throw new IllegalArgumentException("jobId must not be blank");
    }
  }
}
