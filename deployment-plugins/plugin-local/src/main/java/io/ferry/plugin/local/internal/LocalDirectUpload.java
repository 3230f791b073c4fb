package io.ferry.plugin.local.internal;

import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.spi.DirectUpload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A direct upload into {@code uploads/}: the account's format is written to {@code
 * uploads/<id>} (through the format's partial file); closing an unfinished upload deletes both.
 */
final class LocalDirectUpload implements DirectUpload {

  private static final Logger LOG = LoggerFactory.getLogger(LocalDirectUpload.class);

  private final String uploadId;
  private final Path target;
  private final GuardedWriter writer;
  private final Runnable forget;
  private boolean closed;

  LocalDirectUpload(String uploadId, Path target, GuardedWriter writer, Runnable forget) {
    this.uploadId = uploadId;
    this.target = target;
    this.writer = writer;
    this.forget = forget;
  }

  @Override
  public DiskImageWriter writer() {
    return writer;
  }

  @Override
  public String uploadId() {
    return uploadId;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      writer.close();
    } catch (IOException e) {
      LOG.warn("closing the writer of upload {} failed: {}", uploadId, e.toString());
    }
    if (writer.finished()) {
      return;
    }
    try {
      Files.deleteIfExists(target);
      Files.deleteIfExists(target.resolveSibling(target.getFileName() + AccountLayout.PARTIAL_SUFFIX));
      forget.run();
    } catch (IOException e) {
      throw IoErrors.translate("deleting the abandoned upload " + uploadId, e);
    }
  }
}
