package io.ferry.standardization.spi;

import io.ferry.standardization.image.DiskImageWriter;

/**
 * A disk being written straight into a cloud. The writer receives the restored disk; once it is
 * finished, {@link #uploadId()} is what {@link RegisterRequest#source()} names.
 */
public interface DirectUpload extends AutoCloseable {

  /** The writer to stream the disk into, in ascending offset order. */
  DiskImageWriter writer();

  /** The id of the uploaded disk (a snapshot id, a library item, a file) to register. */
  String uploadId();

  /** Abandons an unfinished upload and deletes what it created. Finished uploads are kept. */
  @Override
  void close();
}
