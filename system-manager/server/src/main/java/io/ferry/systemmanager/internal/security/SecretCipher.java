package io.ferry.systemmanager.internal.security;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts credentials at rest with AES-256-GCM: a random 12-byte nonce per value, a 128-bit tag,
 * and associated data that binds each value to its account and key, so a value copied to another
 * row does not decrypt. Stored form: {@code v1:} + base64(nonce || ciphertext || tag).
 */
public final class SecretCipher {

  private static final String VERSION = "v1:";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecretKey key;
  private final SecureRandom random = new SecureRandom();

  public SecretCipher(byte[] key) {
    if (key.length != 32) {
      throw new IllegalArgumentException("the master key must be 32 bytes (base64 of 32 random bytes), got " + key.length);
    }
    this.key = new SecretKeySpec(key.clone(), "AES");
  }

  /** Encrypts a value bound to {@code context} (such as "account-id/key"). */
  public String encrypt(String plaintext, String context) {
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      random.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      return VERSION + Base64.getEncoder().encodeToString(ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  /** Decrypts a value stored by {@link #encrypt}; fails when the key, context or value is wrong. */
  public String decrypt(String stored, String context) {
    if (!stored.startsWith(VERSION)) {
      throw new IllegalStateException("unknown secret format");
    }
    try {
      byte[] bytes = Base64.getDecoder().decode(stored.substring(VERSION.length()));
      if (bytes.length < NONCE_BYTES + TAG_BITS / 8) {
        throw new IllegalStateException("secret value is truncated");
      }
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE_BYTES));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      return new String(cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException("a stored secret cannot be decrypted: wrong master key or damaged value", e);
    }
  }

  @Override
  public String toString() {
    return "SecretCipher[AES-256-GCM, key hidden]";
  }
}
