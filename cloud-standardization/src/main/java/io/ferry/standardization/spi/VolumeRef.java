package io.ferry.standardization.spi;

/**
 * A volume a plugin created.
 *
 * @param id the cloud's id of the volume
 * @param sizeBytes its size
 */
public record VolumeRef(String id, long sizeBytes) {}
