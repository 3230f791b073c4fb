package io.ferry.standardization.bundle.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.util.regex.Pattern;

/** Validates chunk ids and bundle ids before they become file names or object keys. */
public final class Names {

  private static final Pattern CHUNK_ID = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern BUNDLE_ID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");

  private Names() {}

  /** Returns {@code chunkId} if it is 64 lower-case hex digits, else throws INVALID_REQUEST. */
  public static String checkChunkId(String chunkId) {
    if (chunkId == null || !CHUNK_ID.matcher(chunkId).matches()) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST, "not a chunk id (64 lower-case hex digits): " + chunkId);
    }
    return chunkId;
  }

  /** Whether {@code name} is a well-formed chunk id. */
  public static boolean isChunkId(String name) {
    return name != null && CHUNK_ID.matcher(name).matches();
  }

  /**
   * Returns {@code bundleId} if it is 1 to 128 characters of letters, digits, '.', '_' and '-',
   * not starting with '.' or '-', else throws INVALID_REQUEST.
   */
  public static String checkBundleId(String bundleId) {
    if (bundleId == null || !BUNDLE_ID.matcher(bundleId).matches()) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST,
          "not a bundle id (1-128 of [A-Za-z0-9._-], not starting with '.' or '-'): " + bundleId);
    }
    return bundleId;
  }

  /** Whether {@code name} is a well-formed bundle id. */
  public static boolean isBundleId(String name) {
    return name != null && BUNDLE_ID.matcher(name).matches();
  }
}
