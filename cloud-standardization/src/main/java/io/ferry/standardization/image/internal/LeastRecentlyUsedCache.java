package io.ferry.standardization.image.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/** Small in-memory caches of image tables that keep only the most recently used entries. */
public final class LeastRecentlyUsedCache {

  private LeastRecentlyUsedCache() {}

  /**
   * A map that drops its least recently used entry once it holds more than {@code capacity}
   * entries. Not thread-safe: callers synchronize on it.
   */
  public static <K, V> Map<K, V> create(int capacity) {
    return new LinkedHashMap<>(capacity * 2, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > capacity;
      }
    };
  }
}
