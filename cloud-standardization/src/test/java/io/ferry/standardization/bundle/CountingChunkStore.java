package io.ferry.standardization.bundle;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/** Wraps a store and records every chunk id that is written or touched. */
final class CountingChunkStore extends ForwardingChunkStore {

  final List<String> written = Collections.synchronizedList(new ArrayList<>());
  final List<String> touched = Collections.synchronizedList(new ArrayList<>());

  CountingChunkStore(ChunkStore delegate) {
    super(delegate);
  }

  @Override
  public void putChunk(String chunkId, byte[] compressed, int offset, int length) throws IOException {
    written.add(chunkId);
    super.putChunk(chunkId, compressed, offset, length);
  }

  @Override
  public Optional<StoredObject> touchChunk(String chunkId) throws IOException {
    touched.add(chunkId);
    return super.touchChunk(chunkId);
  }
}
