/**
 * The local cloud: a directory on this machine that behaves like a cloud account. Images are
 * files in any supported disk format with a JSON sidecar, volumes are sparse raw files, helpers
 * are guest-agent processes. It is Ferry's embedded default and the cloud the higher layers are
 * tested against. Only {@link io.ferry.plugin.local.LocalCloudPluginFactory} is public.
 */
package io.ferry.plugin.local;
