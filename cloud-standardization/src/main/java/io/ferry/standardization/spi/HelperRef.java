package io.ferry.standardization.spi;

/**
 * A helper VM a plugin launched.
 *
 * @param id the cloud's id of the helper
 * @param address where the helper can be reached, may be null
 */
public record HelperRef(String id, String address) {}
