/**
 * The plugin technology compatibility kit: {@link io.ferry.plugin.tck.CloudPluginContractTest},
 * the abstract JUnit 5 test every cloud plugin's test extends, and the small test disks it
 * uses. A plugin's test provides a factory, an account, a way to seed a source image and a way
 * to list what a job left behind; the contract asks the factory's capabilities and skips, with
 * a message, what the plugin does not declare.
 */
package io.ferry.plugin.tck;
