package io.ferry.standardization.spi;

/**
 * An image a plugin registered.
 *
 * @param imageId the cloud's id of the new image
 * @param location where people find it (an ARN, a library item URL, a path)
 */
public record RegisteredImage(String imageId, String location) {}
