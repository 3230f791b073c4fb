package io.ferry.systemmanager.internal.security;

import io.ferry.systemmanager.internal.FerryProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.StringUtils;

/**
 * The master key that encrypts cloud credentials: {@code ferry.security.master-key} (base64 of 32
 * bytes). On the embedded default without one, a key is generated once into {@code
 * ${ferry.home}/master.key} (mode 0600). With an external database a key must be configured.
 */
@Configuration(proxyBeanMethods = false)
public class MasterKeyConfiguration {

  private static final Logger LOG = LoggerFactory.getLogger(MasterKeyConfiguration.class);

  @Bean
  SecretCipher secretCipher(FerryProperties properties, DataSourceProperties dataSource) {
    String configured = properties.security() == null ? null : properties.security().masterKey();
    if (StringUtils.hasText(configured)) {
      return new SecretCipher(decode(configured.trim(), "ferry.security.master-key"));
    }
    if (StringUtils.hasText(dataSource.getUrl())) {
      throw new IllegalStateException(
          "ferry.security.master-key is not set; with an external database it must be (base64 of 32 random bytes,"
              + " e.g. `openssl rand -base64 32`)");
    }
    Path file = properties.home().resolve("master.key");
    return new SecretCipher(decode(readOrCreate(file), file.toString()));
  }

  private static String readOrCreate(Path file) {
    try {
      if (Files.exists(file)) {
        return Files.readString(file, StandardCharsets.US_ASCII).trim();
      }
      Files.createDirectories(file.getParent());
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      String encoded = Base64.getEncoder().encodeToString(key);
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, encoded + "\n", StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
      LOG.info("Generated a new master key in {} (keep it: it decrypts the stored cloud credentials)", file);
      return encoded;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the master key file " + file, e);
    }
  }

  private static byte[] decode(String base64, String source) {
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("the master key in " + source + " is not valid base64");
    }
  }
}
