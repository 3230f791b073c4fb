/**
 * Internals of the local cloud plugin. Not part of Ferry's API: only {@code
 * io.ferry.plugin.local} may use these classes.
 */
package io.ferry.plugin.local.internal;
