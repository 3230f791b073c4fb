/**
 * The cloud-layer catalogue: what makes an OS image belong to one cloud (cloud-init datasource,
 * guest agents, initramfs drivers, kernel console arguments), one data file per cloud under
 * {@code io/ferry/standardization/layer/*.json}. The guest agent detects, strips and injects layers
 * from these definitions; a new cloud is a new data file, not new code.
 */
package io.ferry.standardization.layer;
