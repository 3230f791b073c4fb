package io.ferry.systemmanager.internal.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Makes API tokens ({@code ferry_} + 32 random bytes) and hashes them with SHA-256. */
public final class TokenHashing {

  /** What every Ferry API token starts with, so that secret scanners can find leaked ones. */
  public static final String PREFIX = "ferry_";

  private static final SecureRandom RANDOM = new SecureRandom();

  private TokenHashing() {}

  /** A new random token. */
  public static String newToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The hex SHA-256 of a token, the only form stored. */
  public static String hash(String token) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }

  /** The start of a token shown in lists to tell tokens apart. */
  public static String displayPrefix(String token) {
    return token.substring(0, Math.min(token.length(), PREFIX.length() + 6));
  }
}
