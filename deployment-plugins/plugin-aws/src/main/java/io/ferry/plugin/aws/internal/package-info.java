/**
 * Internals of the AWS plugin. Not part of Ferry's API: only {@code io.ferry.plugin.aws} and
 * this module's tests may use these classes.
 */
package io.ferry.plugin.aws.internal;
