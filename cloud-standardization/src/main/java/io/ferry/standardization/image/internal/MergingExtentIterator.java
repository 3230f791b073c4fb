package io.ferry.standardization.image.internal;

import io.ferry.standardization.image.Extent;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * An extent map walked run by run (a block, a grain, a run of sectors) in which adjacent runs of the
 * same type are merged into one extent. Subclasses produce consecutive runs, each starting where the
 * previous one ended.
 */
public abstract class MergingExtentIterator implements Iterator<Extent> {

  private Extent pending;

  /** Whether {@link #nextRun()} has more runs to give. */
  protected abstract boolean hasMoreRuns();

  /** The next run, starting where the previous one ended; called only while {@link #hasMoreRuns()}. */
  protected abstract Extent nextRun();

  @Override
  public final boolean hasNext() {
    return hasMoreRuns() || pending != null;
  }

  @Override
  public final Extent next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    while (hasMoreRuns()) {
      Extent next = nextRun();
      if (pending == null) {
        pending = next;
      } else if (pending.type() == next.type()) {
        pending = new Extent(pending.offset(), pending.length() + next.length(), next.type());
      } else {
        Extent result = pending;
        pending = next;
        return result;
      }
    }
    Extent result = pending;
    pending = null;
    return result;
  }
}
