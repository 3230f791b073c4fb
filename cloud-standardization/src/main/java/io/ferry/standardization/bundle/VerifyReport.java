package io.ferry.standardization.bundle;

import java.util.List;

/**
 * What {@link Bundles#verify} found.
 *
 * @param bundleId the bundle verified
 * @param chunksChecked chunk uses checked (a chunk used at several offsets counts at each)
 * @param problems every damaged or missing chunk, with the disk offset where it is used
 * @param diskDigestChecked whether the whole-disk digest could be recomputed (only when every
 *     chunk was intact)
 * @param diskDigestMatches whether the recomputed whole-disk digest equals the manifest's
 */
public record VerifyReport(
    String bundleId,
    long chunksChecked,
    List<ChunkProblem> problems,
    boolean diskDigestChecked,
    boolean diskDigestMatches) {

  public VerifyReport {
    problems = List.copyOf(problems);
  }

  /** Whether the bundle is intact: every chunk and the whole-disk digest check out. */
  public boolean intact() {
    return problems.isEmpty() && diskDigestChecked && diskDigestMatches;
  }

  /**
   * A damaged or missing chunk.
   *
   * @param chunkId the chunk's id (the SHA-256 it should hash to)
   * @param offset the disk offset where the manifest uses it
   * @param problem what is wrong
   */
  public record ChunkProblem(String chunkId, long offset, String problem) {
    @Override
    public String toString() {
      return "chunk " + chunkId + " at disk offset " + offset + ": " + problem;
    }
  }
}
