package io.ferry.standardization.bundle;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Passes every call to another store; tests override what they want to observe or break. */
class ForwardingChunkStore implements ChunkStore {

  private final ChunkStore delegate;

  ForwardingChunkStore(ChunkStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public void putChunk(String chunkId, byte[] compressed, int offset, int length) throws IOException {
    delegate.putChunk(chunkId, compressed, offset, length);
  }

  @Override
  public byte[] getChunk(String chunkId) throws IOException {
    return delegate.getChunk(chunkId);
  }

  @Override
  public Optional<StoredObject> statChunk(String chunkId) throws IOException {
    return delegate.statChunk(chunkId);
  }

  @Override
  public Optional<StoredObject> touchChunk(String chunkId) throws IOException {
    return delegate.touchChunk(chunkId);
  }

  @Override
  public boolean deleteChunk(String chunkId) throws IOException {
    return delegate.deleteChunk(chunkId);
  }

  @Override
  public void listChunks(Consumer<StoredObject> consumer) throws IOException {
    delegate.listChunks(consumer);
  }

  @Override
  public void putManifest(String bundleId, byte[] manifestJson) throws IOException {
    delegate.putManifest(bundleId, manifestJson);
  }

  @Override
  public Optional<byte[]> getManifest(String bundleId) throws IOException {
    return delegate.getManifest(bundleId);
  }

  @Override
  public List<String> listManifests() throws IOException {
    return delegate.listManifests();
  }

  @Override
  public boolean deleteManifest(String bundleId) throws IOException {
    return delegate.deleteManifest(bundleId);
  }

  @Override
  public void putJournalSegment(String bundleId, long sequence, byte[] segmentJson) throws IOException {
    delegate.putJournalSegment(bundleId, sequence, segmentJson);
  }

  @Override
  public List<byte[]> readJournal(String bundleId) throws IOException {
    return delegate.readJournal(bundleId);
  }

  @Override
  public List<String> listJournals() throws IOException {
    return delegate.listJournals();
  }

  @Override
  public void deleteJournal(String bundleId) throws IOException {
    delegate.deleteJournal(bundleId);
  }

  @Override
  public String describe() {
    return delegate.describe();
  }
}
