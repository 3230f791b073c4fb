package io.ferry.plugin.local.internal;

import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageWriter;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A writer that reports a full file system as NO_SPACE (and other I/O failures as coded {@link
 * io.ferry.standardization.FerryException}s) and remembers whether it was finished.
 */
final class GuardedWriter implements DiskImageWriter {

  private final DiskImageWriter delegate;
  private final String what;
  private volatile boolean finished;

  GuardedWriter(DiskImageWriter delegate, String what) {
    this.delegate = delegate;
    this.what = what;
  }

  boolean finished() {
    return finished;
  }

  @Override
  public DiskFormat format() {
    return delegate.format();
  }

  @Override
  public long virtualSize() {
    return delegate.virtualSize();
  }

  @Override
  public void write(long offset, ByteBuffer data) throws IOException {
    try {
      delegate.write(offset, data);
    } catch (IOException e) {
      throw IoErrors.translate("writing " + what + " at offset " + offset, e);
    }
  }

  @Override
  public void finish() throws IOException {
    try {
      delegate.finish();
      finished = true;
    } catch (IOException e) {
      throw IoErrors.translate("finishing " + what, e);
    }
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }
}
