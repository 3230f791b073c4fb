package io.ferry.plugin.aws.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** SHA-256 checksums as the EBS direct APIs want them: base64 of the raw digest. */
public final class Checksums {

  private Checksums() {}

  /** The raw SHA-256 of {@code length} bytes of {@code data} from {@code offset}. */
  public static byte[] sha256(byte[] data, int offset, int length) {
    MessageDigest digest = newDigest();
    digest.update(data, offset, length);
    return digest.digest();
  }

  /** Base64 of the SHA-256 of {@code data}. */
  public static String sha256Base64(byte[] data) {
    return Base64.getEncoder().encodeToString(sha256(data, 0, data.length));
  }

  /** A new SHA-256 digest. */
  public static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /**
   * The aggregated checksum of a whole snapshot with the LINEAR method: the SHA-256 of the
   * concatenated raw SHA-256 digests of the written blocks in ascending block index order. Feed
   * the block digests in that order.
   */
  public static final class Linear {
    private final MessageDigest digest = newDigest();
    private long blocks;

    /** Adds the raw digest of the next written block. */
    public void add(byte[] blockDigest) {
      digest.update(blockDigest);
      blocks++;
    }

    /** How many block digests were added. */
    public long blocks() {
      return blocks;
    }

    /** Base64 of the aggregated checksum; ends this aggregation. */
    public String finishBase64() {
      return Base64.getEncoder().encodeToString(digest.digest());
    }
  }
}
