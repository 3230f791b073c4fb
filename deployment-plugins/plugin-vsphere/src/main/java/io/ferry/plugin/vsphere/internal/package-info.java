/**
 * Internals of the vSphere plugin. Not part of Ferry's API: only {@code io.ferry.plugin.vsphere}
 * may use these classes.
 */
package io.ferry.plugin.vsphere.internal;
