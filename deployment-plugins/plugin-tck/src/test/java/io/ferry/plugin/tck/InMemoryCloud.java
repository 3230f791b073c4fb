package io.ferry.plugin.tck;

import io.ferry.standardization.spi.ImageInfo;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The state of one in-memory cloud account, shared by the plugin instances of that account. */
final class InMemoryCloud {

  /** Accounts by account id. */
  static final Map<String, InMemoryCloud> ACCOUNTS = new ConcurrentHashMap<>();

  record Image(ImageInfo info, byte[] disk) {}

  record Upload(String jobId, byte[] disk, boolean finished) {}

  final Map<String, Image> images = new ConcurrentHashMap<>();
  final Map<String, Upload> uploads = new ConcurrentHashMap<>();
  final Map<String, String> volumeJobs = new ConcurrentHashMap<>();
  final Map<String, String> helperJobs = new ConcurrentHashMap<>();

  static InMemoryCloud of(String accountId) {
    return ACCOUNTS.computeIfAbsent(accountId, id -> new InMemoryCloud());
  }
}
