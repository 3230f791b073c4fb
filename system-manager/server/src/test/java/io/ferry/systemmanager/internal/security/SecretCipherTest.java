package io.ferry.systemmanager.internal.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class SecretCipherTest {

  private final SecretCipher cipher = new SecretCipher(new byte[32]);

  @Test
  void roundTripsWithAFreshNonceEachTime() {
    String first = cipher.encrypt("hunter2-secret", "account/password");
    String second = cipher.encrypt("hunter2-secret", "account/password");

    assertThat(first).startsWith("v1:").doesNotContain("hunter2").isNotEqualTo(second);
    byte[] a = Base64.getDecoder().decode(first.substring(3));
    byte[] b = Base64.getDecoder().decode(second.substring(3));
    assertThat(a).hasSize(12 + "hunter2-secret".length() + 16);
    assertThat(java.util.Arrays.copyOf(a, 12)).isNotEqualTo(java.util.Arrays.copyOf(b, 12));
    assertThat(cipher.decrypt(first, "account/password")).isEqualTo("hunter2-secret");
    assertThat(cipher.decrypt(second, "account/password")).isEqualTo("hunter2-secret");
  }

  @Test
  void refusesAnotherContextAnotherKeyAndTamperedValues() {
    String stored = cipher.encrypt("hunter2-secret", "account-1/password");

    assertThatThrownBy(() -> cipher.decrypt(stored, "account-2/password")).isInstanceOf(IllegalStateException.class);
    byte[] otherKey = new byte[32];
    otherKey[0] = 1;
    assertThatThrownBy(() -> new SecretCipher(otherKey).decrypt(stored, "account-1/password"))
        .isInstanceOf(IllegalStateException.class);
    byte[] bytes = Base64.getDecoder().decode(stored.substring(3));
    bytes[bytes.length - 1] ^= 1;
    String tampered = "v1:" + Base64.getEncoder().encodeToString(bytes);
    assertThatThrownBy(() -> cipher.decrypt(tampered, "account-1/password")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> cipher.decrypt("v1:AAAA", "account-1/password")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> cipher.decrypt("plain", "account-1/password")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void keyMustBe32BytesAndIsNeverShown() {
    assertThatThrownBy(() -> new SecretCipher(new byte[16])).hasMessageContaining("32 bytes");
    assertThat(cipher.toString()).doesNotContain("AAAA");
  }

  @Test
  void tokensAreRandomPrefixedAndHashedWithSha256() {
    String token = TokenHashing.newToken();
    assertThat(token).startsWith("ferry_").isNotEqualTo(TokenHashing.newToken());
    assertThat(TokenHashing.hash("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(TokenHashing.displayPrefix(token)).hasSize(12);
  }
}
