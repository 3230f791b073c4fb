package io.ferry.standardization.spi;

/**
 * One configuration key a plugin accepts, so that the API and the dashboard can ask for it and
 * unknown keys can be refused.
 *
 * @param key the setting's key
 * @param description what it means, for people
 * @param required whether an account must set it
 * @param secret whether it is a credential (encrypted at rest, never returned)
 * @param defaultValue the value used when it is not set, or null
 */
public record ConfigProperty(
    String key, String description, boolean required, boolean secret, String defaultValue) {}
