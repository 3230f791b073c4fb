/**
 * The plugin SPI: what every cloud plugin implements and what the orchestrator calls. Plugins are
 * found with {@link java.util.ServiceLoader} through {@link io.ferry.standardization.spi.CloudPluginFactory}
 * and depend on nothing but this module. The operations are the patent's primitives: list and
 * describe images, open an image's volume for reading, launch and terminate a helper, create,
 * attach, detach and delete volumes, open a direct upload, register an image, delete everything
 * tagged with a job, and publish prices.
 */
package io.ferry.standardization.spi;
