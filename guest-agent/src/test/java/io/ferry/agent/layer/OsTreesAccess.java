package io.ferry.agent.layer;

import java.nio.file.Path;

/** Lets tests in other packages copy the OS tree fixtures. */
public final class OsTreesAccess {

  private OsTreesAccess() {}

  /** A fresh copy of tree {@code os} with the overlay of {@code cloud} (or none when null). */
  public static Path copy(String os, String cloud, Path into) throws Exception {
    return OsTrees.copy(os, cloud, into);
  }
}
