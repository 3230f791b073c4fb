/** Internal to the system manager (security); not an API for other modules. */
package io.ferry.systemmanager.internal.security;
