package io.ferry.standardization.bundle.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.bundle.BundleManifest;
import io.ferry.standardization.bundle.BundleManifest.ChunkEntry;
import io.ferry.standardization.bundle.BundleManifests;
import io.ferry.standardization.bundle.ChunkStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A bundle as one portable tar archive: {@code manifest.json} first, then {@code
 * chunks/ID.zst} for every distinct chunk, stored exactly as in the store. Importing verifies
 * every chunk before storing it and stores the manifest last, so a broken archive never yields a
 * bundle that looks complete.
 */
public final class BundleArchive {

  /** The archive entry holding the manifest. */
  public static final String MANIFEST_ENTRY = "manifest.json";

  private static final String CHUNK_PREFIX = "chunks/";
  private static final String CHUNK_SUFFIX = ".zst";

  private BundleArchive() {}

  /** Writes bundle {@code manifest} with its chunks from {@code store} to {@code output}. */
  public static void export(ChunkStore store, BundleManifest manifest, OutputStream output) throws IOException {
    TarArchiveOutputStream tar = new TarArchiveOutputStream(output);
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    put(tar, MANIFEST_ENTRY, BundleManifests.toJson(manifest));
    Set<String> written = new LinkedHashSet<>();
    for (ChunkEntry entry : manifest.chunks()) {
      if (written.add(entry.sha256())) {
        put(tar, CHUNK_PREFIX + entry.sha256() + CHUNK_SUFFIX, store.getChunk(entry.sha256()));
      }
    }
    tar.finish();
    tar.flush();
  }

  /** Reads an archive into {@code store} and returns the imported bundle's manifest. */
  public static BundleManifest importInto(ChunkStore store, InputStream input) throws IOException {
    TarArchiveInputStream tar = new TarArchiveInputStream(input);
    TarArchiveEntry first = tar.getNextEntry();
    if (first == null || !MANIFEST_ENTRY.equals(first.getName())) {
      throw new FerryException(ErrorCode.IMAGE_CORRUPT,
          "bundle archive: the first entry must be " + MANIFEST_ENTRY + ", found "
              + (first == null ? "nothing" : first.getName()));
    }
    if (first.getSize() > (256L << 20)) {
      throw new FerryException(ErrorCode.IMAGE_CORRUPT, "bundle archive: manifest entry too large");
    }
    BundleManifest manifest = BundleManifests.fromJson(tar.readAllBytes(), "in archive");
    int chunkSize = manifest.chunking().chunkSize();
    Map<String, Long> lengths = new HashMap<>();
    for (ChunkEntry entry : manifest.chunks()) {
      lengths.put(entry.sha256(), entry.length());
    }
    long maxCompressed = ChunkCodec.compressBound(chunkSize) + 1024L;
    byte[] buffer = new byte[chunkSize];
    TarArchiveEntry entry;
    while ((entry = tar.getNextEntry()) != null) {
      String name = entry.getName();
      if (!name.startsWith(CHUNK_PREFIX) || !name.endsWith(CHUNK_SUFFIX)) {
        throw new FerryException(ErrorCode.IMAGE_CORRUPT, "bundle archive: unexpected entry " + name);
      }
      String chunkId = name.substring(CHUNK_PREFIX.length(), name.length() - CHUNK_SUFFIX.length());
      Long length = lengths.get(chunkId);
      if (length == null) {
        throw new FerryException(ErrorCode.IMAGE_CORRUPT,
            "bundle archive: chunk " + chunkId + " is not in the manifest");
      }
      if (entry.getSize() <= 0 || entry.getSize() > maxCompressed) {
        throw new FerryException(ErrorCode.IMAGE_CORRUPT,
            "bundle archive: chunk " + chunkId + " has an impossible size " + entry.getSize());
      }
      byte[] compressed = tar.readAllBytes();
      try {
        ChunkCodec.decompress(compressed, buffer, length.intValue());
      } catch (IllegalArgumentException damaged) {
        throw integrity(manifest, chunkId, damaged.getMessage());
      }
      String actual = ChunkCodec.sha256(buffer, length.intValue());
      if (!actual.equals(chunkId)) {
        throw integrity(manifest, chunkId, "content hashes to " + actual);
      }
      if (store.touchChunk(chunkId).isEmpty()) {
        store.putChunk(chunkId, compressed, 0, compressed.length);
      }
    }
    for (String chunkId : lengths.keySet()) {
      if (!store.chunkExists(chunkId)) {
        throw new FerryException(ErrorCode.IMAGE_CORRUPT,
            "bundle archive of " + manifest.bundleId() + ": chunk " + chunkId + " is missing");
      }
    }
    // a version 2 digest follows from the chunk ids (checked above): the chunk list must give it
    if (BundleManifest.Disk.SHA256_CHUNK_LIST.equals(manifest.disk().digestAlgorithm())) {
      String actual = DiskDigest.chunkList(manifest.chunks(), chunkSize, manifest.disk().virtualSize());
      if (!actual.equals(manifest.disk().sha256())) {
        throw new FerryException(ErrorCode.INTEGRITY_CHECK_FAILED,
            "bundle archive of " + manifest.bundleId() + ": the chunk list's sha256-chunk-list digest is " + actual
                + ", the manifest says " + manifest.disk().sha256());
      }
    }
    store.putManifest(manifest.bundleId(), BundleManifests.toJson(manifest));
    return manifest;
  }

  private static FerryException integrity(BundleManifest manifest, String chunkId, String problem) {
    long offset = manifest.chunks().stream()
        .filter(chunk -> chunk.sha256().equals(chunkId)).mapToLong(ChunkEntry::offset).findFirst().orElse(-1);
    return new FerryException(ErrorCode.INTEGRITY_CHECK_FAILED,
        "bundle archive of " + manifest.bundleId() + ": chunk " + chunkId + " at disk offset " + offset + ": "
            + problem);
  }

  private static void put(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setSize(content.length);
    tar.putArchiveEntry(entry);
    tar.write(content);
    tar.closeArchiveEntry();
  }
}
